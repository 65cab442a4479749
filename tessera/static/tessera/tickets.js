// "My tickets": a click on a row opens the ticket in the side pane (htmx) only
// where the pane stands beside the list. On narrow screens, and for clicks that
// open a new tab or window, the row's link goes to the ticket page as usual.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 1100px)");

  window.tesseraOpensPane = function (event) {
    if (!wide.matches || event.defaultPrevented) return false;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return false;
    var row = event.target.closest("tr.ticket-row");
    if (!row) return false;
    var link = event.target.closest("a");
    if (link && !link.classList.contains("ticket-link")) return false;
    event.preventDefault();
    row.parentElement.querySelectorAll("tr[aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    row.setAttribute("aria-current", "true");
    return true;
  };
})();
