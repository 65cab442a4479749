// The desk's queues: "Select every ticket on this page", offered only when scripts run.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#bulk-form input[name="ticket"]'));
  function reflect() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) { box.addEventListener("change", reflect); });
  reflect();
});
