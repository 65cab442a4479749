// The desk's queues, when scripts run: "Select every ticket on this page", a range with Shift+click,
// how many tickets are selected (announced politely), and the list refreshing itself. Without scripts
// the checkboxes work alone and the list is as fresh as the last page load.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  var form = document.getElementById("bulk-form");
  var counter = document.getElementById("selected-count");
  var last = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#bulk-form input[name="ticket"]'));
  }

  function reflect() {
    if (!all) return;
    var list = boxes();
    var ticked = list.filter(function (box) { return box.checked; }).length;
    all.checked = ticked > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
    if (counter) {
      var text = ticked === 0 ? counter.dataset.none : ticked === 1 ? counter.dataset.one : counter.dataset.many;
      counter.textContent = (text || "").replace("%(count)s", String(ticked));
    }
  }

  if (all && form) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      reflect();
    });
    // One listener for every row, those a refresh brings too.
    form.addEventListener("click", function (event) {
      var box = event.target;
      if (!(box instanceof HTMLInputElement) || box.name !== "ticket") return;
      var list = boxes(), index = list.indexOf(box);
      // Shift+click ticks (or clears) every box between the last one clicked and this one.
      if (event.shiftKey && last !== null && last !== index && last < list.length) {
        var from = Math.min(last, index), to = Math.max(last, index);
        for (var i = from; i <= to; i++) list[i].checked = box.checked;
      }
      last = index;
      reflect();
    });
    form.addEventListener("change", reflect);
    reflect();
  }

  // The list refreshes itself every so many seconds while the page is in view: the rows and the queues'
  // counts are replaced, the ticked tickets stay ticked, the focus stays where it was, nothing scrolls.
  var table = document.querySelector("[data-refresh-seconds]");
  var seconds = table ? parseInt(table.dataset.refreshSeconds, 10) : 0;
  if (!seconds || !window.fetch || !window.DOMParser) return;

  function busy() {
    var active = document.activeElement;
    // Never while the agent types in a field or has a disclosure of the page open (saving a view, filters).
    return active && (active.tagName === "TEXTAREA" || active.tagName === "SELECT" ||
      (active.tagName === "INPUT" && active.type !== "checkbox"));
  }

  function refresh() {
    if (document.visibilityState !== "visible" || busy()) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Tessera-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var body = document.querySelector(".queue-table tbody");
        var freshBody = fresh.querySelector(".queue-table tbody");
        if (!body || !freshBody || busy()) return;
        var ticked = {};
        boxes().forEach(function (box) { if (box.checked) ticked[box.value] = true; });
        var focused = document.activeElement && document.activeElement.id;
        body.innerHTML = freshBody.innerHTML;
        boxes().forEach(function (box) { box.checked = !!ticked[box.value]; });
        if (focused) {
          var again = document.getElementById(focused);
          if (again) again.focus({ preventScroll: true });
        }
        ["ticket-count"].forEach(function (id) {
          var mine = document.querySelector('[data-testid="' + id + '"]');
          var theirs = fresh.querySelector('[data-testid="' + id + '"]');
          if (mine && theirs) mine.textContent = theirs.textContent;
        });
        var nav = document.querySelector(".queue-nav"), freshNav = fresh.querySelector(".queue-nav");
        if (nav && freshNav) {
          nav.querySelectorAll(".queue-count").forEach(function (count, i) {
            var other = freshNav.querySelectorAll(".queue-count")[i];
            if (other) count.innerHTML = other.innerHTML;
          });
        }
        document.dispatchEvent(new CustomEvent("tessera:queue-refreshed"));
        reflect();
      })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }

  window.setInterval(refresh, seconds * 1000);
});
