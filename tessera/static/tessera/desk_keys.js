// The desk's keyboard shortcuts (base.html loads this on the desk's pages, for staff).
//
//   everywhere   ?  the help (desk/keyboard_help.html)     /  the search box in the header
//   a queue      j  next ticket   k  previous ticket     o (or Enter with nothing focused)  open it
//   a ticket     r  write a reply   n  write an internal note   a  assign the ticket to me
//
// A key is a shortcut only when the agent is not typing (a text field, a list, an editable area has the
// focus), when no modifier but Shift is held, and when no other dialog is open: a shortcut must never
// eat a letter meant for a reply, nor act behind a question the page is asking. Every word shown comes
// from the template, translated; nothing here needs translating. Without JavaScript nothing changes:
// the hint stays hidden and the pages work by Tab and Enter as before.
(function () {
  "use strict";

  var help = null;      // the help dialog
  var returnTo = null;  // what had the focus before the help opened
  var marked = null;    // the number of the ticket marked in a queue, kept across the list's refreshes

  // --- when a key is a shortcut --------------------------------------------------------------

  // Inputs one types in; a checkbox or a button takes no letters, so shortcuts work from there.
  var NOT_TYPED = { checkbox: true, radio: true, button: true, submit: true, reset: true, image: true, file: true, color: true, range: true };

  function typing(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !NOT_TYPED[(element.type || "").toLowerCase()];
  }

  function otherDialogOpen() {
    return Array.prototype.some.call(document.querySelectorAll("dialog[open]"), function (dialog) {
      return dialog !== help;
    });
  }

  // --- the help --------------------------------------------------------------------------------

  function openHelp() {
    if (!help || help.open) return;
    returnTo = document.activeElement;
    help.showModal();
  }

  function closed() {
    // The focus goes back where it was (the browser would put it on the body after a page's change).
    if (returnTo && returnTo !== document.body && document.contains(returnTo)) returnTo.focus({ preventScroll: true });
    returnTo = null;
  }

  // --- a queue: the marked row ---------------------------------------------------------------

  function rows() {
    var list = document.querySelector("[data-keys-rows]");
    // A queue's table rows, or the search page's results.
    return list ? Array.prototype.slice.call(list.querySelectorAll("tbody tr[data-ticket], li[data-ticket]")) : [];
  }

  function linkOf(row) {
    return row.querySelector("a[data-keys-open-ticket]") || row.querySelector("a[href]");
  }

  function currentIndex(list) {
    // The row the focus is in wins (the agent may have tabbed or clicked elsewhere), then the marked one.
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (active && list[i].contains(active)) return i;
    }
    for (var j = 0; j < list.length; j++) {
      if (list[j].getAttribute("data-ticket") === marked) return j;
    }
    return -1;
  }

  function mark(row, focus) {
    rows().forEach(function (other) {
      other.classList.remove("is-keys-current");
    });
    row.classList.add("is-keys-current");
    marked = row.getAttribute("data-ticket");
    if (!focus) return;
    row.scrollIntoView({ block: "nearest" });
    var link = linkOf(row);
    // The focus on the row's link lets a screen reader follow, and Enter opens it as any link.
    if (link) link.focus({ preventScroll: true });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var index = currentIndex(list);
    var next = index === -1 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    mark(list[next], true);
    return true;
  }

  function openMarked() {
    var list = rows();
    var index = currentIndex(list);
    if (index === -1) return false;
    var link = linkOf(list[index]);
    if (!link) return false;
    window.location.assign(link.href);
    return true;
  }

  // --- a ticket: reply, note, assign -----------------------------------------------------------

  function compose(mode) {
    var form = document.querySelector("form[data-keys-compose]") || document.querySelector("form.reply-form");
    var box = form && form.querySelector("textarea");
    if (!box) return false;
    // A closed ticket takes internal notes only: r writes one there too, and says so.
    if (!form.querySelector('button[name="send"][value="public"]')) mode = "note";
    form.setAttribute("data-compose", mode);
    // Said beside the box, and to screen readers, so a note is never written believing it a reply.
    var said = form.querySelector("[data-keys-compose-mode]");
    if (!said) {
      said = document.createElement("p");
      said.className = "keys-compose-mode";
      said.setAttribute("data-keys-compose-mode", "");
      said.setAttribute("role", "status");
      said.setAttribute("data-testid", "compose-mode");
      box.closest("#reply-body, .field").before(said);
    }
    said.textContent = help ? help.getAttribute(mode === "note" ? "data-note-mode" : "data-reply-mode") : "";
    (box.closest(".card") || box).scrollIntoView({ block: "start" });
    showButtons(form, box);
    box.focus({ preventScroll: true });
    return true;
  }

  // On a short window the card is taller than the screen: scroll on until its send buttons show, as long as
  // the top of the box stays in sight.
  function showButtons(form, box) {
    var actions = form.querySelector(".actions");
    if (!actions) return;
    var below = actions.getBoundingClientRect().bottom + 8 - window.innerHeight;
    var room = box.getBoundingClientRect().top - 8;
    if (below > 0 && room > 0) window.scrollBy(0, Math.min(below, room));
  }

  function assignToMe() {
    var form = document.querySelector("form[data-keys-assign-me]");
    if (form) {
      form.requestSubmit();
      return true;
    }
    if (!document.querySelector("form.reply-form")) return false;  // not a ticket's page
    announce(help ? help.getAttribute("data-not-assignable") : "");
    return true;
  }

  function announce(text) {
    var region = document.getElementById("keys-status");
    if (!region) return;
    // Emptied first so the same sentence twice is announced twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function search() {
    var box = document.getElementById("header-search-q");
    if (!box) return false;
    box.focus();
    box.select();
    return true;
  }

  // --- the keys --------------------------------------------------------------------------------

  var ACTIONS = {
    "?": function () { openHelp(); return true; },
    "/": search,
    j: function () { return move(1); },
    k: function () { return move(-1); },
    o: openMarked,
    r: function () { return compose("reply"); },
    n: function () { return compose("note"); },
    a: assignToMe,
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return;
    if (help && help.open) return;  // the help is modal: Escape and its button close it
    if (otherDialogOpen() || typing(event.target) || typing(document.activeElement)) return;
    var action = ACTIONS[event.key];
    var active = document.activeElement;
    // Enter opens the marked ticket only when nothing has the focus: elsewhere it is the element's own.
    if (!action && event.key === "Enter" && (!active || active === document.body || active.id === "main")) action = openMarked;
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    help = document.getElementById("keys-help");
    if (!help || typeof help.showModal !== "function") {
      help = null;
      return;
    }
    help.addEventListener("close", closed);
    document.querySelectorAll("[data-keys-hint]").forEach(function (hint) { hint.hidden = false; });
    document.querySelectorAll("[data-keys-open-help]").forEach(function (button) {
      button.addEventListener("click", openHelp);
    });
  });

  // A queue's rows are replaced when it refreshes itself (desk_queues.js): the mark goes back on its ticket.
  document.addEventListener("tessera:queue-refreshed", function () {
    rows().forEach(function (row) {
      if (row.getAttribute("data-ticket") === marked) mark(row, false);
    });
  });
})();
