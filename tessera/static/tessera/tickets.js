// "My tickets": the number and title link opens the ticket page (the browser does that,
// nothing here). A click elsewhere in a row opens the ticket in the side pane, beside the
// list, as the row's "preview" link does for keyboard users; links marked data-pane-url
// (the preview links, the comment order in the pane) load the pane in place (htmx).
// On narrow screens the pane would stand below the list: a row's click opens the ticket page.
// Without JavaScript every one of these links is an ordinary link that the server answers.
// No htmx event filter here: those are evaluated as code, which the Content-Security-Policy
// (no eval) forbids.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 1100px)");

  function plainClick(event) {
    return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
  }

  function markSelected(row) {
    document.querySelectorAll("tr.ticket-row[aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    if (row) row.setAttribute("aria-current", "true");
  }

  function loadPane(link) {
    var pane = document.getElementById("ticket-pane");
    if (!pane || !window.htmx) return false;
    window.htmx.ajax("GET", link.dataset.paneUrl, { target: "#ticket-pane", swap: "innerHTML" }).then(function () {
      window.history.pushState({ pane: true }, "", link.getAttribute("href"));
      var title = pane.querySelector("h2");
      if (title && link.closest("tr")) {
        title.setAttribute("tabindex", "-1");
        if (link.matches(":focus")) title.focus();
      }
    });
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || !plainClick(event)) return;
    var target = event.target;

    var close = target.closest("[data-pane-close]");
    if (close && document.getElementById("ticket-pane")) {
      event.preventDefault();
      document.getElementById("ticket-pane").innerHTML = "";
      markSelected(null);
      window.history.pushState({}, "", close.getAttribute("href"));
      return;
    }

    var paneLink = target.closest("a[data-pane-url]");
    if (paneLink) {
      if (!wide.matches) return; // the pane stands below the list: follow the link
      if (loadPane(paneLink)) {
        event.preventDefault();
        markSelected(paneLink.closest("tr.ticket-row"));
      }
      return;
    }

    // Elsewhere in a row (not on a link, a button or selected text).
    var row = target.closest("tr.ticket-row");
    if (!row || target.closest("a, button, input, label")) return;
    if (window.getSelection && String(window.getSelection()).length > 0) return;
    var preview = row.querySelector("a.pane-link[data-pane-url]");
    if (wide.matches && preview && loadPane(preview)) {
      markSelected(row);
    } else {
      var link = row.querySelector("a.ticket-link");
      if (link) window.location.assign(link.href);
    }
  });

  // Back and forward through panes: the address names the list and its selection; show what it says.
  window.addEventListener("popstate", function () {
    window.location.reload();
  });
})();
