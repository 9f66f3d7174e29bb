// The household form: add or remove member rows; each new row shows its place on the ladder.
(function () {
  var box = document.getElementById("members");
  if (!box) { return; }
  var total = document.getElementById(box.dataset.totalId);
  var template = document.getElementById("member-template");
  var add = document.getElementById("add-member");
  var remove = document.getElementById("remove-member");
  var base = parseInt(box.dataset.baseOrder, 10), last = parseInt(box.dataset.ladderLast, 10);
  var max = parseInt(box.dataset.max, 10);
  function refresh() {
    var count = parseInt(total.value, 10);
    remove.hidden = count < 2;
    add.hidden = count >= max;
  }
  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__number__/g, index + 1)
      .replace(/__order__/g, Math.min(base + index, last));
    box.insertAdjacentHTML("beforeend", html);
    var row = box.lastElementChild;
    if (window.htmx) { htmx.process(row); }
    total.value = index + 1;
    refresh();
    row.querySelector("input").focus();
  });
  remove.addEventListener("click", function () {
    var rows = box.querySelectorAll(".member");
    if (rows.length < 2) { return; }
    rows[rows.length - 1].remove();
    total.value = rows.length - 1;
    refresh();
  });
  refresh();
})();
