/* The customer signs on the screen (record page, a step that declares customer_signature).
   The vendored signature pad (vendor/signature_pad, pointer events: finger, pen or mouse) draws on
   the canvas; on submit the drawing goes to the server as a PNG data URL in the hidden
   "signature" field, where it is checked again (a PNG, not too large, not empty). Without this
   script the pad stays hidden: the signed paper page can still be uploaded. */
(function () {
  var box = document.getElementById("cs-pad");
  if (!box || typeof window.SignaturePad === "undefined") { return; }
  var form = box.closest("form");
  var canvas = box.querySelector("canvas");
  var input = form.querySelector("input[name=signature]");
  var empty = document.getElementById("cs-pad-empty");
  box.hidden = false;
  var note = document.getElementById("cs-pad-nojs");
  if (note) { note.hidden = true; }
  var pad = new window.SignaturePad(canvas, { penColor: "#0b1f4d", minWidth: 0.9, maxWidth: 2.8 });

  // The canvas is drawn at the screen's pixel density (sharp on a phone), and keeps its strokes
  // when the phone turns or the window is resized.
  function fit() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var strokes = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
  }
  window.addEventListener("resize", fit);
  var fold = document.getElementById("cs-capture");  // folded once the customer has signed
  if (fold) { fold.addEventListener("toggle", function () { if (fold.open) { fit(); } }); }
  fit();

  pad.addEventListener("beginStroke", function () { if (empty) { empty.hidden = true; } });
  document.getElementById("cs-clear").addEventListener("click", function () {
    pad.clear();
    input.value = "";
  });
  form.addEventListener("submit", function (event) {
    if (pad.isEmpty()) {
      event.preventDefault();
      if (empty) { empty.hidden = false; }
      return;
    }
    input.value = pad.toDataURL("image/png");
  });
})();
