// The CPV code picker: turns the plain text input of CPV codes (data-cpv-picker) into a search-as-you-type
// combobox with the chosen codes listed as removable items. The text input stays the form's field: it is
// hidden and kept in step ("85300000, 72000000"), so the server reads the same thing with or without this
// file. Texts and the search address come from data attributes (the CSP allows no inline script).
(() => {
  "use strict";

  const DEBOUNCE_MS = 250;
  let counter = 0;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function parseCodes(value) {
    return value
      .split(/[\s,;]+/)
      .map((token) => token.trim())
      .filter(Boolean)
      .map((token) => token.replace(/-\d$/, ""));
  }

  function enhance(source) {
    counter += 1;
    const texts = source.dataset;
    const searchUrl = texts.cpvSearchUrl;
    let labels = {};
    try {
      labels = JSON.parse(texts.cpvLabels || "{}");
    } catch (error) {
      labels = {};
    }
    let codes = parseCodes(source.value);
    let results = [];
    let active = -1;
    let page = 1;
    let query = "";
    let timer = null;
    let controller = null;

    const wrapper = element("div", "cpv-picker");
    const selected = element("ul", "list-unstyled d-flex flex-wrap gap-2 mb-2 cpv-picker-selected");
    selected.setAttribute("aria-label", texts.cpvTextSelected || "");
    const search = element("input", "form-control");
    search.type = "text";
    search.id = `${source.id || "cpv"}-search-${counter}`;
    search.autocomplete = "off";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    const listbox = element("ul", "list-group cpv-picker-results mt-1");
    listbox.id = `${search.id}-results`;
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    search.setAttribute("aria-controls", listbox.id);
    const more = element("button", "btn btn-sm btn-link cpv-picker-more", texts.cpvTextMore || "");
    more.type = "button";
    more.hidden = true;
    const status = element("p", "visually-hidden");
    status.setAttribute("aria-live", "polite");

    // The field's label, help text and error now belong to the search box.
    const label = source.id ? document.querySelector(`label[for="${source.id}"]`) : null;
    if (label) {
      label.htmlFor = search.id;
    }
    const describedBy = source.getAttribute("aria-describedby");
    if (describedBy) {
      search.setAttribute("aria-describedby", describedBy);
    }
    if (source.classList.contains("is-invalid")) {
      search.classList.add("is-invalid");
      search.setAttribute("aria-invalid", "true");
    }
    search.placeholder = texts.cpvTextPlaceholder || "";
    source.hidden = true;
    source.after(wrapper);
    wrapper.append(selected, search, listbox, more, status);

    function sync() {
      source.value = codes.join(", ");
    }

    function renderSelected() {
      selected.replaceChildren();
      codes.forEach((code) => {
        const item = element("li", "badge text-bg-light border d-inline-flex align-items-center gap-1 fs-6 fw-normal");
        item.append(element("span", "font-monospace", code));
        if (labels[code]) {
          item.append(element("span", "", labels[code]));
        }
        const remove = element("button", "btn-close btn-sm");
        remove.type = "button";
        remove.setAttribute("aria-label", (texts.cpvTextRemove || "").replace("{code}", code));
        remove.addEventListener("click", () => {
          codes = codes.filter((other) => other !== code);
          sync();
          renderSelected();
          status.textContent = (texts.cpvTextRemoved || "").replace("{code}", code);
          search.focus();
        });
        item.append(remove);
        selected.append(item);
      });
    }

    function close() {
      listbox.hidden = true;
      more.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = listbox.querySelectorAll("[role=option]");
      options.forEach((option, position) => {
        const on = position === index;
        option.classList.toggle("active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        search.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        search.removeAttribute("aria-activedescendant");
      }
    }

    function choose(result) {
      labels[result.code] = result.label;
      if (!codes.includes(result.code)) {
        codes.push(result.code);
      }
      sync();
      renderSelected();
      status.textContent = (texts.cpvTextAdded || "").replace("{code}", `${result.code} ${result.label}`);
      search.value = "";
      close();
      search.focus();
    }

    function renderResults(hasMore) {
      listbox.replaceChildren();
      results.forEach((result, index) => {
        const option = element("li", "list-group-item list-group-item-action");
        option.id = `${listbox.id}-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.append(element("span", "font-monospace", result.code), document.createTextNode(` ${result.label}`));
        if (codes.includes(result.code)) {
          option.classList.add("text-muted");
        }
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(result));
        listbox.append(option);
      });
      listbox.hidden = results.length === 0;
      more.hidden = !hasMore;
      search.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? (texts.cpvTextResults || "").replace("{count}", String(results.length))
        : texts.cpvTextNone || "";
    }

    function fetchPage(append) {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      const url = new URL(searchUrl, window.location.href);
      url.searchParams.set("q", query);
      url.searchParams.set("page", String(page));
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          results = append ? results.concat(data.results) : data.results;
          renderResults(Boolean(data.has_more));
          if (!append) {
            highlight(-1);
          }
        })
        .catch((error) => {
          if (error && error.name === "AbortError") {
            return;
          }
          status.textContent = texts.cpvTextError || "";
        });
    }

    search.addEventListener("input", () => {
      clearTimeout(timer);
      query = search.value.trim();
      if (query.length < 2) {
        results = [];
        close();
        return;
      }
      timer = setTimeout(() => {
        page = 1;
        fetchPage(false);
      }, DEBOUNCE_MS);
    });

    search.addEventListener("keydown", (event) => {
      const count = listbox.hidden ? 0 : results.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        highlight((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        // Never submit the form from the search box: Enter picks the highlighted code, or a typed one.
        event.preventDefault();
        if (active >= 0 && results[active]) {
          choose(results[active]);
        } else if (/^\d{8}(-\d)?$/.test(search.value.trim())) {
          const code = search.value.trim().slice(0, 8);
          const known = results.find((result) => result.code === code);
          choose(known || { code, label: labels[code] || "" });
        }
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        close();
      }
    });

    search.addEventListener("blur", () => setTimeout(close, 150));

    more.addEventListener("click", () => {
      page += 1;
      fetchPage(true);
      search.focus();
    });

    // Codes typed before (or kept from a refused form) whose labels the page did not carry.
    codes
      .filter((code) => !labels[code] && /^\d{8}$/.test(code))
      .forEach((code) => {
        const url = new URL(searchUrl, window.location.href);
        url.searchParams.set("q", code);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : null))
          .then((data) => {
            const found = data && data.results.find((result) => result.code === code);
            if (found) {
              labels[code] = found.label;
              renderSelected();
            }
          })
          .catch(() => {});
      });

    renderSelected();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.fetch || !window.AbortController) {
      return;
    }
    document.querySelectorAll("input[data-cpv-picker]").forEach(enhance);
  });
})();
