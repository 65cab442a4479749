// Forms, as the GOV.UK design system does them, on every page (base.html loads this with defer).
//
// 1. The error summary (includes/error_summary.html) takes the focus when the page shows it, the
//    page's title starts with "Error: ", and a click on one of its links moves the focus to the field.
// 2. Attachments are checked before they are sent: a file input with data-max-bytes refuses a file
//    that is too large, empty, of a type not allowed, or one too many. The server checks the same
//    again; this only spares the wait for an upload that would be refused. The messages come
//    translated in the input's data attributes, so nothing here needs translating.
// 3. A form being sent says so: its buttons are disabled and the form carries data-sending until the
//    next page arrives, so a second click sends nothing twice. The server does not rely on it: every
//    form that creates something carries a one-time token (core/idempotency.py).
//
// Without JavaScript the pages work the same: the summary's links are plain in-page links and the
// server refuses what it refuses.
(function () {
  "use strict";

  var FOCUSABLE = "input:not([type=hidden]), select, textarea, button";

  // --- Error summary -------------------------------------------------------------------------

  function fieldFor(id) {
    var target = document.getElementById(id);
    if (!target) return null;
    // A group of checkboxes or radios has the id on its container: the first choice takes the focus.
    if (!target.matches(FOCUSABLE)) target = target.querySelector(FOCUSABLE) || target;
    return target;
  }

  function showSummary(summary) {
    // An error of a field the page draws its own way (the queue's ticket checkboxes) has nowhere to lead:
    // its item stays as text.
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      if (!fieldFor(decodeURIComponent(link.getAttribute("href").slice(1)))) link.replaceWith(link.textContent);
    });
    var prefix = summary.getAttribute("data-title-prefix");
    if (prefix && document.title.indexOf(prefix) !== 0) document.title = prefix + " " + document.title;
    summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link || event.defaultPrevented) return;
    var field = fieldFor(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    // The label (or the group's legend) scrolled into view too, so the question shows with its answer.
    var label = field.id ? document.querySelector("label[for='" + CSS.escape(field.id) + "']") : null;
    var legend = field.closest("fieldset") ? field.closest("fieldset").querySelector("legend") : null;
    (label || legend || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // A form swapped in by htmx (the desk's on-demand forms) shows its summary the same way.
  document.addEventListener("htmx:afterSettle", function (event) {
    var summary = event.target && event.target.querySelector && event.target.querySelector("[data-error-summary]");
    if (summary) showSummary(summary);
  });

  // --- Attachments ---------------------------------------------------------------------------

  function format(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  }

  function messageFor(input) {
    var id = (input.id || input.name) + "_client_error";
    var message = document.getElementById(id);
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "field-error";
      message.setAttribute("aria-live", "polite");
      message.setAttribute("data-testid", "attachment-error");
      message.hidden = true;
      input.insertAdjacentElement("afterend", message);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return message;
  }

  function refusalOf(input, file, allowed) {
    var data = input.dataset;
    var ext = extensionOf(file.name);
    if (allowed.length && allowed.indexOf(ext) === -1) {
      return format(data.typeMessage, { name: file.name, ext: ext || "?" });
    }
    if (file.size === 0) return format(data.emptyMessage, { name: file.name });
    if (file.size > Number(data.maxBytes)) return format(data.tooLargeMessage, { name: file.name });
    return "";
  }

  function checkFiles(input) {
    var data = input.dataset;
    var allowed = (input.getAttribute("accept") || "").split(",").map(function (item) {
      return item.trim().replace(/^\./, "").toLowerCase();
    }).filter(Boolean);
    var files = Array.prototype.slice.call(input.files || []);
    var refusals = [];
    var kept = [];
    files.forEach(function (file) {
      var refusal = refusalOf(input, file, allowed);
      if (refusal) refusals.push(refusal);
      else kept.push(file);
    });
    var maxFiles = Number(data.maxFiles || 0);
    if (maxFiles && kept.length > maxFiles) {
      refusals.push(data.tooManyMessage);
      kept = [];
    }
    var message = messageFor(input);
    var field = input.closest(".field");
    if (!refusals.length) {
      input.setCustomValidity("");
      message.textContent = "";
      message.hidden = true;
      if (field && !field.querySelector(".field-error:not([hidden])")) field.classList.remove("has-error");
      return;
    }
    // Only what passed stays chosen; where the browser cannot keep a part of the choice, none stays.
    try {
      var transfer = new DataTransfer();
      kept.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    } catch (error) {
      input.value = "";
    }
    var text = refusals.join(" ");
    input.setCustomValidity(text);
    message.textContent = text;
    message.hidden = false;
    if (field) field.classList.add("has-error");
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.hasAttribute("data-max-bytes")) {
      checkFiles(input);
    }
  });

  // --- A form being sent ----------------------------------------------------------------------

  var SUBMITS = "button:not([type]), button[type=submit], input[type=submit]";

  function release(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-disabled-while-sending]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-disabled-while-sending");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // htmx sends its forms itself (and prevents the browser's submit); a GET form only filters a list.
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.target) return;
    if (form.hasAttribute("data-sending")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
    // Disabled only once the browser has taken the form's data: a disabled button would drop its name=value.
    window.setTimeout(function () {
      form.querySelectorAll(SUBMITS).forEach(function (button) {
        if (button.disabled) return;
        button.disabled = true;
        button.setAttribute("data-disabled-while-sending", "");
      });
    }, 0);
    // A response that is not a new page (a download, a stopped request) must not leave the form dead.
    window.setTimeout(function () { release(form); }, 20000);
  });

  // Back to a page kept in the browser's cache: its forms are ready again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-sending]").forEach(release);
  });

  function start() {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(messageFor);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) showSummary(summary);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
