// The proposal editor, enhanced. Without this file the page works: "Save draft" saves, the empty price
// line adds one. With it: the draft is saved a few seconds after typing stops (the same form, posted to
// the autosave address with the CSRF header), the live region says "Saved at 14:03", the page's revision
// follows each save, a colleague's newer text comes into fields this page has not touched, and an "Add a
// line" button adds price lines. Texts come from data attributes (the CSP allows no inline script).
(() => {
  "use strict";

  const DELAY_MS = 3000;

  function autosave(form) {
    const url = form.dataset.autosaveUrl;
    const status = form.querySelector("[data-autosave-status]");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    let timer = null;
    let inFlight = false;
    let again = false;
    let stopped = false;

    function say(text) {
      if (status && text) {
        status.textContent = text;
      }
    }

    function field(name) {
      const element = form.elements.namedItem(name);
      return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ? element : null;
    }

    // After a save: the page's new loading point, and a colleague's newer text where this page has not
    // been typed in since the save was sent (where it has, the old loading point stays, so the next save
    // reports the clash instead of overwriting either text).
    function apply(body, sent) {
      const revision = field("revision");
      const base = field("base");
      let digests = {};
      let previous = {};
      try {
        digests = JSON.parse(body.base || "{}");
        previous = JSON.parse((base && base.value) || "{}");
      } catch (error) {
        digests = {};
      }
      Object.entries(body.updated || {}).forEach(([name, value]) => {
        const input = field(name);
        if (!input) {
          return;
        }
        if (input.value === sent.get(name)) {
          input.value = value;
        } else if (name in previous) {
          digests[name] = previous[name];
        }
      });
      if (revision) {
        revision.value = String(body.revision);
      }
      if (base) {
        base.value = JSON.stringify(digests);
      }
    }

    async function save() {
      timer = null;
      if (stopped) {
        return;
      }
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      again = false;
      const data = new FormData(form);
      const sent = new Map();
      data.forEach((value, name) => sent.set(name, value));
      say(form.dataset.textSaving);
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
        });
        let body = {};
        try {
          body = await response.json();
        } catch (error) {
          body = {}; // e.g. the sign-in page after the session ended
        }
        if (body.saved) {
          apply(body, sent);
          say(body.lines_changed ? `${body.message} ${form.dataset.textLinesChanged}` : body.message);
        } else {
          if (response.status === 403 || response.status === 409) {
            stopped = true; // submitted or closed meanwhile: only the explicit save explains it
          }
          say(body.message || form.dataset.textFailed);
        }
      } catch (error) {
        say(form.dataset.textFailed);
      } finally {
        inFlight = false;
        if (again && !stopped) {
          schedule();
        }
      }
    }

    function schedule() {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", () => {
      // The explicit save takes over.
      stopped = true;
      if (timer) {
        window.clearTimeout(timer);
      }
    });
    return { pending: () => timer !== null || inFlight, flush: save };
  }

  function priceLines(container) {
    const prefix = container.dataset.lines;
    const template = document.getElementById(`${prefix}-empty-line`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const max = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);
    if (!template || !total) {
      return;
    }
    const add = document.createElement("button");
    add.type = "button";
    add.className = "btn btn-outline-secondary btn-sm mb-3";
    add.textContent = container.dataset.textAdd;
    add.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      const fragment = template.content.cloneNode(true);
      fragment.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((node) => {
        ["name", "id", "for", "aria-describedby"].forEach((attribute) => {
          const value = node.getAttribute(attribute);
          if (value) {
            node.setAttribute(attribute, value.replace(/__prefix__/g, String(index)));
          }
        });
      });
      const row = fragment.querySelector("[data-line]");
      container.appendChild(fragment);
      total.value = String(index + 1);
      const first = row && row.querySelector("input");
      if (first) {
        first.focus();
      }
    });
    container.after(add);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-lines]").forEach(priceLines);
    const form = document.querySelector("form[data-autosave-url]");
    if (!form || !window.fetch) {
      return;
    }
    const saver = autosave(form);
    // Uploading or removing a document reloads the page: save what was typed first.
    document.querySelectorAll("#documents form").forEach((other) => {
      other.addEventListener("submit", async (event) => {
        if (!saver.pending() || other.dataset.flushed) {
          return;
        }
        event.preventDefault();
        await saver.flush();
        other.dataset.flushed = "1";
        other.requestSubmit();
      });
    });
  });
})();
