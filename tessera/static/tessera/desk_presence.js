// Presence on the desk's ticket workspace (templates/desk/ticket_presence.html): the page tells the server
// that this agent has the ticket open, every so many seconds while the tab is in view, and at once when the
// agent starts typing in one of its text boxes; htmx posts the small form and puts the answer (who else is
// here) into its polite live region. A hidden tab sends nothing; closing the page says goodbye. Without
// scripts nothing is sent and nobody is named.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-presence]");
  if (!form || !window.htmx) return;
  var list = document.getElementById("ticket-presence-list");
  var activity = form.querySelector('input[name="activity"]');
  var seconds = parseInt(form.dataset.presenceSeconds, 10) || 10;
  var typedAt = 0;
  var timer = null;
  var shown = list ? list.innerHTML : "";

  function typing() {
    return Date.now() - typedAt < seconds * 1500;
  }

  function beat() {
    if (document.visibilityState !== "visible") return;
    activity.value = typing() ? "typing" : "viewing";
    window.htmx.trigger(form, "tessera:presence-beat");
  }

  function start() {
    if (timer === null) timer = window.setInterval(beat, seconds * 1000);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      beat();
      start();
    } else {
      stop();
    }
  });

  // Typing to the customer or a note (the reply box, a status change's message): the first key is told at once.
  // Other text boxes of the page (tags, the organization's notes) are not an answer to the ticket.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLTextAreaElement) || !target.closest(".reply-form, .status-form")) return;
    var already = typing();
    typedAt = Date.now();
    if (!already) beat();
  });

  // The same names again: leave the live region alone, so screen readers do not repeat them every round.
  form.addEventListener("htmx:beforeSwap", function (event) {
    var html = event.detail.serverResponse;
    if (html === shown) {
      event.detail.shouldSwap = false;
    } else {
      shown = html;
    }
  });

  window.addEventListener("pagehide", function () {
    stop();
    if (!navigator.sendBeacon) return;
    var data = new FormData(form);
    data.set("activity", "left");
    navigator.sendBeacon(form.action, data);
  });

  start();
});
