// The statement editor's rows (outcomes, criteria), enhanced. Without this file the page works: the empty
// row adds one, the "Remove" box deletes one, the position numbers reorder them. With it: an "Add another"
// button, "Move up" / "Move down" buttons that keep the position numbers in step, and on the criteria step
// a running total of the weights. Texts come from data attributes (the CSP allows no inline script).
(() => {
  "use strict";

  const FILLABLE = "textarea, input[type=text], input[type=number]:not([name$='-ORDER']), input[type=email]";

  function orderInput(row) {
    return row.querySelector("input[name$='-ORDER']");
  }

  function isFilled(row) {
    const order = orderInput(row);
    if (order && order.defaultValue) {
      return true; // a row that already exists
    }
    return Array.from(row.querySelectorAll(FILLABLE)).some((input) => input.value.trim() !== "");
  }

  // Positions follow the order on the page. Rows left empty get none, so the server ignores them.
  function renumber(container) {
    let position = 1;
    container.querySelectorAll("[data-row]").forEach((row) => {
      const order = orderInput(row);
      if (!order) {
        return;
      }
      order.value = isFilled(row) ? String(position++) : "";
    });
  }

  function announce(container, message) {
    let region = container.querySelector(".editor-rows-status");
    if (!region) {
      region = document.createElement("p");
      region.className = "visually-hidden editor-rows-status";
      region.setAttribute("aria-live", "polite");
      container.appendChild(region);
    }
    region.textContent = message;
  }

  function addMoveButtons(container, row) {
    const legend = row.querySelector("legend");
    if (!legend || row.querySelector(".editor-row-moves")) {
      return;
    }
    const group = document.createElement("span");
    group.className = "editor-row-moves ms-2 d-inline-flex gap-1";
    [
      ["up", container.dataset.textUp],
      ["down", container.dataset.textDown],
    ].forEach(([direction, label]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.textContent = label;
      button.setAttribute("aria-label", `${label}: ${legend.textContent.trim()}`);
      button.addEventListener("click", () => move(container, row, direction, button));
      group.appendChild(button);
    });
    legend.appendChild(group);
  }

  function move(container, row, direction, button) {
    const sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling || !sibling.matches("[data-row]")) {
      return;
    }
    if (direction === "up") {
      container.insertBefore(row, sibling);
    } else {
      container.insertBefore(sibling, row);
    }
    renumber(container);
    button.focus();
    const rows = Array.from(container.querySelectorAll("[data-row]"));
    const text = container.dataset.textMoved || "";
    announce(container, text.replace("{position}", String(rows.indexOf(row) + 1)));
  }

  function addRow(container, prefix) {
    const template = document.getElementById(`${prefix}-empty-row`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const max = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);
    if (!template || !total) {
      return;
    }
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
    const row = fragment.querySelector("[data-row]");
    container.appendChild(fragment);
    total.value = String(index + 1);
    addMoveButtons(container, row);
    const first = row.querySelector(FILLABLE);
    if (first) {
      first.focus();
    }
    updateWeights();
  }

  function updateWeights() {
    const output = document.querySelector("[data-weight-total]");
    if (!output) {
      return;
    }
    let sum = 0;
    document.querySelectorAll("[data-row]").forEach((row) => {
      const remove = row.querySelector("input[name$='-DELETE']");
      const weight = row.querySelector("input[name$='-weight']");
      if (weight && !(remove && remove.checked)) {
        sum += parseInt(weight.value, 10) || 0;
      }
    });
    output.textContent = (output.dataset.weightTotalText || "").replace("{total}", String(sum));
    output.classList.toggle("text-danger", sum !== 100);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-rows]").forEach((container) => {
      const prefix = container.dataset.rows;
      container.querySelectorAll("[data-row]").forEach((row) => addMoveButtons(container, row));
      const add = document.createElement("button");
      add.type = "button";
      add.className = "btn btn-outline-secondary mb-3";
      add.textContent = container.dataset.textAdd;
      add.addEventListener("click", () => addRow(container, prefix));
      container.after(add);
      const form = container.closest("form");
      if (form) {
        form.addEventListener("submit", () => renumber(container));
        form.addEventListener("input", updateWeights);
        form.addEventListener("change", updateWeights);
      }
    });
    updateWeights();
  });
})();
