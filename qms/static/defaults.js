/* Defaults that follow another field's choice (a reply limit by category, declared in the form):
   when the choice changes, the field takes the value declared for it, unless the person typed
   their own. Without this script the field keeps the default it opened with. */
(function () {
  document.querySelectorAll("[data-default-by]").forEach(function (input) {
    var chooser = document.getElementById("f_" + input.getAttribute("data-default-by"));
    if (!chooser) { return; }
    var map = JSON.parse(input.getAttribute("data-default-map"));
    var auto = input.value;
    input.addEventListener("input", function () { auto = null; });
    chooser.addEventListener("change", function () {
      if (auto === null || input.value !== auto) { return; }
      var value = Object.prototype.hasOwnProperty.call(map, chooser.value) ? map[chooser.value] : map[""];
      input.value = value;
      auto = value;
    });
  });
})();
