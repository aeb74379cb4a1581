/* Campaign pages: copy the code or the direct link, announce list updates, and on the creation
   form show the assessment-only questions and filter the target profiles. Everything works
   without this script (no inline script: the Content-Security-Policy forbids it). */
(function () {
  "use strict";
  if (window.octetsCampaigns) { return; }  // the header may load it on a page that also does
  window.octetsCampaigns = true;

  // --- copy buttons: <button data-copy="text" data-copied="Code copié"> -----------------------
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  var clearTimer = null;
  var lastStatus = null;
  function tell(button, ok) {
    // the message shows next to the button: in its [data-copy-scope], else the page's one
    var scope = button.closest("[data-copy-scope]");
    var status = (scope && scope.querySelector("[data-copy-status]")) ||
      document.querySelector("[data-copy-status]");
    var message = ok
      ? (button.getAttribute("data-copied") || "Copié")
      : ((status && status.getAttribute("data-failed")) || "Copie impossible");
    if (lastStatus && lastStatus !== status) { lastStatus.textContent = ""; }
    if (status) {
      status.textContent = "";
      // a fresh text node so that screen readers announce the same message twice in a row
      window.setTimeout(function () { status.textContent = (ok ? "✓ " : "") + message; }, 50);
    }
    button.setAttribute("data-copy-done", ok ? "ok" : "failed");
    window.clearTimeout(clearTimer);
    clearTimer = window.setTimeout(function () {
      button.removeAttribute("data-copy-done");
      if (status) { status.textContent = ""; }
    }, 5000);
    lastStatus = status;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    event.preventDefault();
    copy(button.getAttribute("data-copy")).then(function (ok) { tell(button, ok); });
  });

  // --- htmx lists: tell screen readers how many rows the new table has ---------------------
  document.addEventListener("htmx:afterSettle", function () {
    var statuses = document.querySelectorAll("[data-results-status]");
    Array.prototype.forEach.call(statuses, function (status) {
      var count = document.getElementById(status.getAttribute("data-results-status"));
      if (count) { status.textContent = count.textContent.replace(/\s+/g, " ").trim(); }
    });
  });

  // --- creation form -----------------------------------------------------------------------
  var form = document.querySelector("[data-campaign-form]");
  if (!form) { return; }

  function purpose() {
    var checked = form.querySelector("[data-purpose]:checked");
    return checked ? checked.value : "";
  }

  function showPurposeSections() {
    var chosen = purpose();
    Array.prototype.forEach.call(form.querySelectorAll("[data-for-purpose]"), function (section) {
      // nothing chosen yet: show everything, the hints say what is for which purpose
      section.hidden = chosen !== "" && section.getAttribute("data-for-purpose") !== chosen;
    });
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-purpose]"), function (radio) {
    radio.addEventListener("change", showPurposeSections);
  });
  showPurposeSections();

  var filters = form.querySelector("[data-profile-filters]");
  if (!filters) { return; }
  var search = filters.querySelector("[data-profile-search]");
  var category = filters.querySelector("[data-profile-category]");
  var status = filters.querySelector("[data-profile-status]");
  var none = form.querySelector("[data-profile-none]");
  filters.hidden = false;

  function normalize(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function filterProfiles() {
    var words = normalize(search.value).split(/\s+/).filter(Boolean);
    var wanted = category.value;
    var shown = 0;
    Array.prototype.forEach.call(form.querySelectorAll("[data-profile-group]"), function (group) {
      var inCategory = !wanted || group.getAttribute("data-profile-group") === wanted;
      var visibleCards = 0;
      Array.prototype.forEach.call(group.querySelectorAll("[data-profile-card]"), function (card) {
        var name = normalize(card.getAttribute("data-name"));
        var radio = card.querySelector("input[type=radio]");
        var match = inCategory && words.every(function (word) { return name.indexOf(word) !== -1; });
        // never hide the chosen profile: the choice stays visible
        card.hidden = !(match || (radio && radio.checked));
        if (!card.hidden) { visibleCards += 1; }
      });
      group.hidden = visibleCards === 0;
      shown += visibleCards;
    });
    if (none) { none.hidden = shown !== 0; }
    if (status) {
      status.textContent = (status.getAttribute("data-template") || "%(count)s")
        .replace("%(count)s", String(shown));
    }
  }
  search.addEventListener("input", filterProfiles);
  category.addEventListener("change", filterProfiles);
})();
