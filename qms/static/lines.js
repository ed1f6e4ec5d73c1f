/* Line items and computed values on a record's form (records/_lines.html).
   Without this script the page still works: "add a row" and the ✕ buttons are submit buttons the
   server answers with the form rearranged, and computed values are shown when the form comes back.
   With it, rows are added and removed at once, and computed values and totals follow the typing
   (the server works them out: POST to the form's data-compute-url, the same rules as on saving). */
(function () {
  var form = document.querySelector("form.record-form");
  if (!form) { return; }

  function renumber(tbody) {
    Array.prototype.forEach.call(tbody.rows, function (tr, i) {
      var n = tr.querySelector("td.n");
      if (n) { n.textContent = String(i + 1); }
    });
  }

  function nextIndex(tbody, name) {
    var max = -1;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      var m = (tr.getAttribute("data-row") || "").match(new RegExp("^" + name + "-(\\d+)$"));
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    });
    return max + 1;
  }

  document.querySelectorAll("[data-lines]").forEach(function (box) {
    var name = box.getAttribute("data-lines");
    var tbody = box.querySelector("table.lines-edit tbody");
    var template = box.querySelector("template[data-row-template]");
    var add = box.querySelector(".row-add");
    if (!tbody || !template || !add) { return; }
    add.addEventListener("click", function (ev) {
      ev.preventDefault();
      var html = template.innerHTML.split("__index__").join(String(nextIndex(tbody, name)));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      tbody.appendChild(row);
      renumber(tbody);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
    tbody.addEventListener("click", function (ev) {
      var button = ev.target.closest(".row-remove");
      if (!button) { return; }
      ev.preventDefault();
      button.closest("tr").remove();
      renumber(tbody);
      schedule();
    });
  });

  var url = form.getAttribute("data-compute-url");
  var timer = null;
  var asked = 0;

  function show(selector, text) {
    var el = form.querySelector(selector);
    if (el) { el.textContent = text == null ? "" : text; }
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("password");
    var mine = ++asked;
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (out) {
        if (!out || mine !== asked) { return; }  // a later answer is on its way
        Object.keys(out.fields || {}).forEach(function (k) { show('[data-computed="' + k + '"]', out.fields[k]); });
        // Rows by position: the server numbers them from 0, the page keeps the names it gave them.
        Object.keys(out.rows || {}).forEach(function (name) {
          var box = form.querySelector('[data-lines="' + name + '"] table.lines-edit tbody');
          if (!box) { return; }
          out.rows[name].forEach(function (texts, i) {
            var tr = box.rows[i];
            if (!tr) { return; }
            Object.keys(texts).forEach(function (col) {
              var el = tr.querySelector('output[data-col="' + col + '"]');
              if (el) { el.textContent = texts[col]; }
            });
          });
        });
        Object.keys(out.totals || {}).forEach(function (k) { show('[data-total="' + k + '"]', out.totals[k]); });
        form.querySelectorAll("[data-compute-error]").forEach(function (el) {
          var msgs = (out.errors || {})[el.getAttribute("data-compute-error")];
          el.textContent = msgs ? msgs.join(" ") : "";
        });
      })
      .catch(function () { /* offline: the values are worked out again when the form is saved */ });
  }

  function schedule() {
    if (!url) { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
