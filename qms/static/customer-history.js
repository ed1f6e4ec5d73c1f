/* The customer's earlier records beside a form being filled in: when the phone number field
   (named by data-phone-field) changes, the box (data-url) is filled from /customers/recent.
   Without this script the form works the same; the record page lists them once saved. */
(function () {
  var box = document.getElementById("customer-history");
  if (!box) { return; }
  var input = document.getElementById(box.getAttribute("data-phone-field"));
  if (!input) { return; }
  var asked = null;
  function load() {
    var phone = input.value.trim();
    if (phone === asked) { return; }
    asked = phone;
    if (phone.replace(/\D/g, "").length < 3) { box.innerHTML = ""; return; }
    fetch(box.getAttribute("data-url") + "?phone=" + encodeURIComponent(phone), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (asked === phone) { box.innerHTML = html; } })
      .catch(function () { box.innerHTML = ""; });
  }
  input.addEventListener("change", load);
  input.addEventListener("blur", load);
  if (input.value) { load(); }
})();
