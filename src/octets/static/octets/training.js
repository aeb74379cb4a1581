/* Training page: a visible countdown for timed challenges (the server keeps the real time). */
(function () {
  "use strict";
  var box = document.querySelector("[data-seconds-left]");
  if (!box) { return; }
  var left = parseInt(box.getAttribute("data-seconds-left"), 10);
  var value = box.querySelector("[data-countdown]");
  var over = box.querySelector("[data-time-over]");
  var spoken = box.querySelector("[data-countdown-spoken]");
  function render() {
    var shown = Math.max(0, left);
    value.textContent = String(shown);
    if (spoken && (shown === 10 || shown === 0)) { spoken.textContent = value.parentNode.textContent.trim(); }
    if (left <= 0 && over) { over.hidden = false; }
  }
  render();
  var timer = window.setInterval(function () {
    left -= 1;
    render();
    if (left <= 0) { window.clearInterval(timer); }
  }, 1000);
})();
