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

  // Whether every tab panel and accordion holding `node` is open.
  function opened(node) {
    for (; node && node !== document.body; node = node.parentElement) {
      if (node.classList.contains("fr-tabs__panel") && !node.classList.contains("fr-tabs__panel--selected")) return false;
      if (node.classList.contains("fr-collapse") && !node.classList.contains("fr-collapse--expanded")) return false;
    }
    return true;
  }

  // The DSFR scripts set up their tabs and accordions some frames after the page is parsed, and
  // then reset them to their first state: a fiche opened from a search showed its first tab. So
  // for a second the passage's containers are opened again whenever they are closed (unless the
  // reader clicks, scrolls or types meanwhile), and the passage scrolled to once they are open.
  var watching = 0;

  function reveal(target, opener, tries, scrolled, id) {
    if (id !== watching) return;
    if (!opened(opener)) {
      openContainers(opener);
      scrolled = false;
    } else if (!scrolled) {
      target.scrollIntoView({ block: "start" });
      scrolled = true;
    }
    if (tries > 0) {
      window.setTimeout(function () { reveal(target, opener, tries - 1, scrolled, id); }, 100);
    }
  }

  function stopWatching(event) {
    if (event.isTrusted) watching += 1;
  }
  document.addEventListener("keydown", stopWatching, true);
  document.addEventListener("wheel", stopWatching, true);
  document.addEventListener("pointerdown", stopWatching, true);

  function show(anchor) {
    if (!anchor) return false;
    var target = document.getElementById(anchor);
    if (!target) return false;
    var passage = target.closest(".allo-cas, .allo-situation, .allo-chapitre, .allo-sous-chapitre") || target;
    // A case heading sits in its accordion: open that one too.
    var collapse = passage.querySelector(":scope > .fr-collapse");
    var previous = document.querySelectorAll(".allo-passage-cible");
    for (var i = 0; i < previous.length; i++) previous[i].classList.remove("allo-passage-cible");
    passage.classList.add("allo-passage-cible");
    watching += 1;
    var id = watching;
    window.setTimeout(function () { reveal(target, collapse || target, 10, false, id); }, 50);
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
