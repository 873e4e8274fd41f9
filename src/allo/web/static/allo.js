/* Allo: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // --- Search suggestions: arrow keys move between the box and the suggested links. -------------
  function suggestionLinks(box) {
    var list = document.getElementById(box.getAttribute("data-suggest"));
    return list ? Array.prototype.slice.call(list.querySelectorAll("a")) : [];
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var box = target.closest("[data-suggest-box]");
    if (!box) return;
    var input = box.querySelector("[data-suggest]");
    if (!input) return;
    var links = suggestionLinks(input);
    var index = links.indexOf(target);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) input.focus();
      else links[index - 1].focus();
    } else if (event.key === "Escape") {
      var list = document.getElementById(input.getAttribute("data-suggest"));
      if (list && list.innerHTML.trim()) {
        event.preventDefault();
        list.innerHTML = "";
        input.focus();
      }
    }
  });

  // Close the suggestions when the focus leaves the search area.
  document.addEventListener("focusin", function (event) {
    document.querySelectorAll("[data-suggest-box]").forEach(function (box) {
      if (!box.contains(event.target)) {
        var input = box.querySelector("[data-suggest]");
        var list = input && document.getElementById(input.getAttribute("data-suggest"));
        if (list) list.innerHTML = "";
      }
    });
  });

  // --- Timing of htmx round trips (read by the browser benchmark; nothing is sent anywhere). ----
  var started = new WeakMap();
  window.alloTimings = [];
  document.addEventListener("htmx:beforeRequest", function (event) {
    started.set(event.detail.xhr, performance.now());
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    var t0 = xhr && started.get(xhr);
    if (t0 !== undefined) {
      window.alloTimings.push({
        path: (event.detail.pathInfo && event.detail.pathInfo.requestPath) || "",
        ms: performance.now() - t0,
      });
      if (window.alloTimings.length > 200) window.alloTimings.shift();
    }
  });

  // --- Keyboard shortcuts declared in the page: <… data-shortcut="alt+n">. ----------------------
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    // event.code, not event.key: Alt+letter types other characters on some keyboard layouts.
    var match = /^(?:Key|Digit)([A-Z0-9])$/.exec(event.code || "");
    if (!match) return;
    var key = match[1].toLowerCase();
    var el = document.querySelector('[data-shortcut="alt+' + key + '"]');
    if (!el) return;
    event.preventDefault();
    if (el.matches("input, textarea, select")) el.focus();
    else el.click();
  });
})();
