// The desk's queues, when scripts run: "Select every ticket on this page", a range with Shift+click,
// and how many tickets are selected (announced politely). Without scripts the checkboxes work alone.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#bulk-form input[name="ticket"]'));
  var counter = document.getElementById("selected-count");
  var last = null;

  function reflect() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    if (counter) {
      var text = ticked === 0 ? counter.dataset.none : ticked === 1 ? counter.dataset.one : counter.dataset.many;
      counter.textContent = (text || "").replace("%(count)s", String(ticked));
    }
  }

  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    reflect();
  });
  boxes.forEach(function (box, index) {
    box.addEventListener("click", function (event) {
      // Shift+click ticks (or clears) every box between the last one clicked and this one.
      if (event.shiftKey && last !== null && last !== index) {
        var from = Math.min(last, index), to = Math.max(last, index);
        for (var i = from; i <= to; i++) boxes[i].checked = box.checked;
      }
      last = index;
      reflect();
    });
    box.addEventListener("change", reflect);
  });
  reflect();
});
