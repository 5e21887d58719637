// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // A wide table scrolls sideways inside .table-responsive: a keyboard user must be able to reach that
  // scroll area to scroll it with the arrow keys (WCAG 2.1.1), so while it overflows it is a Tab stop.
  // (No role or name of its own: the table inside is named by its caption.)
  const tables = document.querySelectorAll(".table-responsive");
  const markScrollable = () => {
    tables.forEach((wrapper) => {
      if (wrapper.scrollWidth > wrapper.clientWidth) {
        wrapper.setAttribute("tabindex", "0");
      } else if (wrapper.getAttribute("tabindex") === "0") {
        wrapper.removeAttribute("tabindex");
      }
    });
  };
  if (tables.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable, { passive: true });
  }
});

// Idle sign-out (portal/accounts/sessions.py): activity in the page keeps the session alive, and a warning
// with a "Stay signed in" button appears two minutes before the end (WCAG 2.2.1, timing adjustable).
// The settings come from <body> on the portal's pages and from a wrapper of the banners on the Django admin's
// (templates/admin/base_site.html), whose <body> the admin's templates do not let us change.
(() => {
  const host = document.querySelector("[data-idle-timeout]");
  if (!host) {
    return;
  }
  const timeout = Number(host.dataset.idleTimeout || 0) * 1000;
  const url = host.dataset.keepAliveUrl;
  if (!timeout || !url) {
    return;
  }
  const warning = document.getElementById("idle-warning");
  const signedOut = document.getElementById("idle-signed-out");
  const warnBefore = Math.min(120000, timeout / 2);
  // When the server last saw this person, on the page's clock (the server records activity at most once a
  // minute, so that may be a little before this page was loaded).
  const serverNow = Number(host.dataset.idleNow || 0);
  const lastSeen = Number(host.dataset.idleLastSeen || serverNow);
  let lastServerTouch = Date.now() - Math.max(0, serverNow - lastSeen) * 1000;
  let lastActivity = 0;
  let over = false;

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  const end = () => {
    over = true;
    warning.hidden = true;
    signedOut.hidden = false;
  };
  // One keep-alive at a time: on a slow server the 5-second check would otherwise send another on every
  // tick until the first answered, and a late answer would hide a warning shown since.
  let sending = false;
  const keepAlive = () => {
    if (sending) {
      return;
    }
    sending = true;
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then((response) => {
        if (response.status === 204 && !response.redirected) {
          lastServerTouch = Date.now();
          host.dataset.idleTouched = String(lastServerTouch);
          warning.hidden = true;
        } else {
          end();
        }
      })
      .catch(() => {})
      .finally(() => {
        sending = false;
      });
  };

  ["keydown", "input", "pointerdown"].forEach((type) => {
    document.addEventListener(type, () => { lastActivity = Date.now(); }, { capture: true, passive: true });
  });
  warning.querySelector("[data-keep-alive]").addEventListener("click", keepAlive);
  window.setInterval(() => {
    if (over) {
      return;
    }
    const now = Date.now();
    if (lastActivity > lastServerTouch && now - lastServerTouch >= 60000) {
      keepAlive();
      return;
    }
    const left = timeout - (now - lastServerTouch);
    if (left <= 0) {
      end();
    } else if (left <= warnBefore) {
      warning.hidden = false;
    }
  }, 5000);
})();
