// The needs-not-solutions coach, live. Every textarea or input marked data-coach="<field label>" is
// checked while it is typed (debounced) against the coach's rules on the server, and the findings (the
// flagged phrase, why, how to restate it as a need) appear in a polite live region under the field.
//
// Loaded by templates/challenges/coach/_coach_panel.html, which carries the endpoint, the CSRF token and
// the translated texts in data attributes (no inline script: the CSP allows scripts from 'self' only).
// The statement's language comes from data-coach-language on the field, its form or an ancestor: a
// language code, or "#id" of the control that holds it (followed as it changes).
//
// Progressive enhancement: without this file the page works, and the panel shows the findings the
// server rendered.
(() => {
  "use strict";

  const DEBOUNCE_MS = 400;
  const RETRY_AFTER_MS = 5000;
  const FIELDS = "textarea[data-coach], input[data-coach]";

  const panel = document.querySelector("[data-coach-endpoint]");
  if (!panel || !window.fetch || !window.AbortController) {
    return;
  }
  const endpoint = panel.dataset.coachEndpoint;
  const states = new WeakMap();
  let fieldCounter = 0;

  function text(name) {
    return panel.dataset["coachText" + name] || "";
  }

  function csrfToken() {
    if (panel.dataset.coachCsrf) {
      return panel.dataset.coachCsrf;
    }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) {
      return input.value;
    }
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  }

  function languageSpec(field) {
    if (field.dataset.coachLanguage) {
      return field.dataset.coachLanguage;
    }
    if (field.form && field.form.dataset.coachLanguage) {
      return field.form.dataset.coachLanguage;
    }
    const holder = field.closest("[data-coach-language]");
    return holder ? holder.dataset.coachLanguage : "";
  }

  function languageOf(field) {
    const spec = languageSpec(field);
    if (spec.startsWith("#")) {
      const control = document.getElementById(spec.slice(1));
      return control ? control.value : "";
    }
    // The server falls back to the page's language when this is empty or unknown.
    return spec || document.documentElement.lang || "";
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function setUp(field) {
    let state = states.get(field);
    if (state) {
      return state;
    }
    fieldCounter += 1;
    const id = (field.id || "coach-field-" + fieldCounter) + "-coach";
    const region = element("div", "coach-feedback small mt-1");
    region.id = id;
    region.setAttribute("aria-live", "polite");
    const summary = element("p", "coach-feedback-summary mb-1");
    summary.id = id + "-summary";
    const list = element("ul", "coach-findings list-unstyled mb-0");
    region.append(summary, list);
    // Crispy wraps each field in div#div_<field id>; put the advice after its help text and errors.
    const wrapper =
      (field.id && document.getElementById("div_" + field.id)) || field.closest("[data-coach-wrapper]");
    if (wrapper) {
      wrapper.append(region);
    } else {
      field.insertAdjacentElement("afterend", region);
    }
    // The summary, not the whole list, describes the field: short enough to hear on every visit.
    const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    field.setAttribute("aria-describedby", [...described, summary.id].join(" "));
    state = {
      region,
      summary,
      list,
      timer: null,
      controller: null,
      lastKey: null,
      signature: null,
      hadFindings: false,
    };
    states.set(field, state);
    return state;
  }

  function render(field, findings, total) {
    const state = setUp(field);
    // Announce only what changed: the same findings again are not read out again.
    const signature = JSON.stringify([
      total,
      findings.map((finding) => [finding.rule_id, finding.start, finding.phrase]),
    ]);
    if (signature === state.signature) {
      return;
    }
    const hadFindings = state.hadFindings;
    state.hadFindings = findings.length > 0;
    state.signature = signature;
    state.region.classList.remove("text-danger");
    state.list.replaceChildren();
    if (!findings.length) {
      state.summary.textContent = hadFindings ? text("Clear") : "";
      return;
    }
    const count = Math.max(total || 0, findings.length);
    state.summary.textContent = count === 1 ? text("One") : text("Many").replace("{count}", String(count));
    for (const finding of findings) {
      const item = element("li", "coach-finding border-start border-3 border-warning ps-2 mb-2");
      const head = element("p", "mb-1");
      head.append(
        element("mark", "", finding.phrase),
        " ",
        element("span", "badge text-bg-light", finding.category_label),
      );
      const why = element("p", "mb-1");
      const explanation = element("span", "", finding.explanation);
      const restate = element("p", "mb-0");
      const suggestion = element("span", "", finding.suggestion);
      if (finding.language) {
        explanation.lang = finding.language;
        suggestion.lang = finding.language;
      }
      why.append(element("span", "fw-semibold", text("Why")), " ", explanation);
      restate.append(element("span", "fw-semibold", text("Restate")), " ", suggestion);
      item.append(head, why, restate);
      state.list.append(item);
    }
  }

  function showError(field, message) {
    const state = setUp(field);
    state.signature = null;
    state.list.replaceChildren();
    state.region.classList.add("text-danger");
    state.summary.textContent = message;
  }

  async function check(field) {
    const state = setUp(field);
    const value = field.value || "";
    const language = languageOf(field);
    const key = language + "\u0000" + value;
    if (key === state.lastKey) {
      return;
    }
    if (state.controller) {
      state.controller.abort();
      state.controller = null;
    }
    if (!value.trim()) {
      state.lastKey = key;
      render(field, [], 0);
      return;
    }
    const controller = new AbortController();
    state.controller = controller;
    let response;
    let data = null;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        body: new URLSearchParams({ text: value, language }),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        signal: controller.signal,
      });
      data = await response.json().catch(() => null);
    } catch (error) {
      if (error.name !== "AbortError") {
        showError(field, text("Error"));
      }
      return;
    }
    if (controller.signal.aborted) {
      return; // a newer check of this field is under way
    }
    state.controller = null;
    if (response.status === 429) {
      state.timer = window.setTimeout(() => check(field), RETRY_AFTER_MS);
      return;
    }
    if (!response.ok || !data || !Array.isArray(data.findings)) {
      showError(field, (data && data.error) || text("Error"));
      return;
    }
    state.lastKey = key;
    render(field, data.findings, data.count);
  }

  function schedule(field, delay) {
    const state = setUp(field);
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(() => check(field), delay);
  }

  function isCoached(target) {
    return target instanceof Element && target.matches(FIELDS);
  }

  // Delegated, so fields added later (another outcome) are coached too.
  document.addEventListener("input", (event) => {
    if (isCoached(event.target)) {
      schedule(event.target, DEBOUNCE_MS);
    }
  });
  document.addEventListener("focusin", (event) => {
    if (isCoached(event.target)) {
      setUp(event.target);
    }
  });
  // The statement's language changed: check every field that follows that control again.
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !target.id) {
      return;
    }
    for (const field of document.querySelectorAll(FIELDS)) {
      if (languageSpec(field) === "#" + target.id) {
        schedule(field, 0);
      }
    }
  });

  const fields = document.querySelectorAll(FIELDS);
  if (!fields.length) {
    return;
  }
  // From now on the advice shows next to each field: the list rendered with the page would go stale.
  const initial = panel.querySelector("[data-coach-initial]");
  if (initial) {
    initial.hidden = true;
  }
  const live = panel.querySelector(".coach-panel-live");
  if (live && text("Live")) {
    live.textContent = text("Live");
    live.hidden = false;
  }
  fields.forEach((field, index) => {
    setUp(field);
    if ((field.value || "").trim()) {
      // Staggered, so a long statement does not send all its fields at once.
      schedule(field, 50 * index);
    }
  });
})();
