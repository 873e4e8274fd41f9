/* Allo: opening a fiche from a search shows the passage that answers (#anchor in the link).
   Opens the situation tab and the case accordion holding the passage, scrolls to it and
   highlights it. Static file: the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var pending = "";

  function openContainers(target) {
    var node = target;
    while (node && node !== document.body) {
      if (node.classList.contains("fr-tabs__panel") && node.id) {
        var tab = document.querySelector('[role="tab"][aria-controls="' + node.id + '"]');
        if (tab && tab.getAttribute("aria-selected") !== "true") tab.click();
      }
      if (node.classList.contains("fr-collapse") && node.id) {
        var button = document.querySelector('[aria-controls="' + node.id + '"]');
        if (button && button.getAttribute("aria-expanded") !== "true") {
          if (window.dsfr) button.click();
          else button.setAttribute("aria-expanded", "true");
          node.classList.add("fr-collapse--expanded");
        }
      }
      node = node.parentElement;
    }
  }

  function show(anchor) {
    if (!anchor) return false;
    var target = document.getElementById(anchor);
    if (!target) return false;
    var passage = target.closest(".allo-cas, .allo-situation, .allo-chapitre, .allo-sous-chapitre") || target;
    // A case heading sits in its accordion: open that one too.
    var collapse = passage.querySelector(":scope > .fr-collapse");
    openContainers(collapse || target);
    var previous = document.querySelectorAll(".allo-passage-cible");
    for (var i = 0; i < previous.length; i++) previous[i].classList.remove("allo-passage-cible");
    passage.classList.add("allo-passage-cible");
    window.setTimeout(function () {
      target.scrollIntoView({ block: "start" });
    }, 50);
    return true;
  }

  function fromHash() {
    var hash = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    if (/^[A-Za-z0-9_-]{1,80}$/.test(hash)) show(hash);
  }

  // Console: a result opens the fiche in place (htmx); the passage is shown once it is there.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-passage]") : null;
    if (link) pending = link.getAttribute("data-passage") || "";
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (pending && show(pending)) pending = "";
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fromHash);
  else fromHash();
  window.addEventListener("hashchange", fromHash);
})();
