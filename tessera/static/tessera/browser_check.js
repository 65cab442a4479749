// A browser too old for the layout and scripts Tessera uses gets a polite notice at the top of each page
// (base.html; hidden until this check shows it). Written for old browsers: no arrow functions, no let.
// What the pages need: CSS :has() and container queries (Chrome/Edge 105, Firefox 121, Safari 16),
// :focus-visible, and fetch, Promise and Element.closest for the scripts.
(function () {
  "use strict";
  var css = window.CSS;
  var current = !!(
    css && typeof css.supports === "function" &&
    css.supports("selector(:has(*))") &&
    css.supports("selector(:focus-visible)") &&
    css.supports("container-type", "inline-size") &&
    typeof window.fetch === "function" && typeof window.Promise === "function" &&
    window.Element && typeof window.Element.prototype.closest === "function"
  );
  if (current) return;
  var notice = document.getElementById("browser-outdated");
  if (notice) notice.hidden = false;
})();
