// "My tickets": a click on a row opens the ticket in the side pane (htmx) only
// where the pane stands beside the list. On narrow screens, and for clicks that
// open a new tab or window, the row's link goes to the ticket page as usual.
// No htmx event filter here: those are evaluated as code, which the
// Content-Security-Policy (no eval) forbids.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 1100px)");

  document.addEventListener("click", function (event) {
    if (!wide.matches || event.defaultPrevented || !window.htmx) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var row = event.target.closest("tr.ticket-row[data-pane-url]");
    if (!row) return;
    var link = event.target.closest("a");
    if (link && !link.classList.contains("ticket-link")) return;
    event.preventDefault();
    row.parentElement.querySelectorAll("tr[aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    row.setAttribute("aria-current", "true");
    window.htmx.ajax("GET", row.dataset.paneUrl, { target: "#ticket-pane", swap: "innerHTML" }).then(function () {
      window.history.pushState({}, "", row.dataset.pushUrl);
    });
  });
})();
