// The colour scheme: the system's (prefers-color-scheme) until the reader presses the header's
// button; their choice is kept in localStorage and set as <html data-theme>, before the page paints.
(function () {
  "use strict";
  var KEY = "skinsite-theme";
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function stored() {
    try {
      var value = localStorage.getItem(KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (error) {
      return null; // storage blocked: follow the system
    }
  }

  function apply(theme) {
    if (theme) {
      root.dataset.theme = theme;
    } else {
      delete root.dataset.theme;
    }
  }

  function isDark() {
    return (root.dataset.theme || (system.matches ? "dark" : "light")) === "dark";
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) {
      return;
    }
    function show() {
      button.setAttribute("aria-pressed", String(isDark()));
    }
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      // Back to the system's scheme when the choice matches it, so a later system change is followed.
      var matchesSystem = (next === "dark") === system.matches;
      try {
        if (matchesSystem) {
          localStorage.removeItem(KEY);
        } else {
          localStorage.setItem(KEY, next);
        }
      } catch (error) {
        // storage blocked: the choice lasts for this page only
      }
      apply(matchesSystem ? null : next);
      show();
    });
    system.addEventListener("change", show);
  });
})();
