/* Live enough: pages show what others change without a reload.
 *
 * Lodestar.live.poll(url, { etag, interval, onChange, onGone, alive }) asks `url` every `interval`
 * milliseconds with If-None-Match: a 304 means nothing changed; a 200 carries a JSON body
 * (with its new `etag`), handed to onChange(body). It waits while the tab is hidden and asks
 * at once when it is shown again (or the window gets the focus back), and backs off (doubling, up to five minutes) on errors.
 * alive(), if given, is asked first: once it says false, polling stops. It answers
 * { now(), stop() }. Any page can use it (say, an unread count in the sidebar).
 *
 * An element with data-live-url (and data-live-etag, -what, -interval) is polled while it is
 * in the page. When what it shows changes, it is refreshed: a cancelable "live:changed" event
 * is dispatched on it first (a page with its own refresh handles it and calls
 * preventDefault()); otherwise data-live-event names an event to trigger on the body (the
 * backlog's list reloads itself on "backlog-changed"), or data-live-refresh is fetched with
 * htmx into the element. An element with a form in use (focused, or with unsaved input) is
 * not swapped under the person: a banner says who changed it and when, with a Reload button.
 * Either way a polite live region says it to screen readers.
 */
(function () {
  "use strict";

  const MAX_DELAY = 5 * 60 * 1000;

  function poll(url, options) {
    const opts = options || {};
    const interval = Math.max(Number(opts.interval) || 10000, 200);
    let etag = opts.etag || "";
    let delay = interval;
    let timer = null;
    let busy = false;
    let again = false; // asked while a poll was on its way: ask once more when it is back
    let stopped = false;

    function schedule(ms) {
      window.clearTimeout(timer);
      if (!stopped) timer = window.setTimeout(ask, ms);
    }

    async function ask() {
      if (stopped) return;
      if (busy) {
        again = true;
        return;
      }
      if (opts.alive && !opts.alive()) {
        stop();
        return;
      }
      if (document.visibilityState === "hidden") return; // asked again when shown
      busy = true;
      try {
        const headers = { Accept: "application/json" };
        if (etag) headers["If-None-Match"] = etag;
        const response = await fetch(url, { headers, credentials: "same-origin", cache: "no-store" });
        if (response.status === 304) {
          delay = interval;
        } else if (response.ok && (response.headers.get("Content-Type") || "").includes("json")) {
          const body = await response.json();
          etag = body.etag || response.headers.get("ETag") || etag;
          delay = interval;
          if (opts.onChange) opts.onChange(body);
        } else if (response.status === 404 || response.status === 403) {
          if (opts.onGone) opts.onGone(response.status);
          stop();
        } else {
          delay = Math.min(delay * 2, MAX_DELAY);
        }
      } catch (error) {
        delay = Math.min(delay * 2, MAX_DELAY);
      } finally {
        busy = false;
        schedule(again && !stopped ? 0 : delay);
        again = false;
      }
    }

    function onVisible() {
      if (document.visibilityState === "visible") schedule(0);
    }
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    schedule(interval);

    function stop() {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    }

    return {
      now() {
        schedule(0);
      },
      stop,
      get etag() {
        return etag;
      },
    };
  }

  // -- the page's polled elements ---------------------------------------------------------------

  function announce(text) {
    const region = document.getElementById("live-announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  function clock(iso) {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return "";
    return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function sentence(body, what) {
    const who = body.changed_by || "Someone";
    const at = body.changed_at ? ` at ${clock(body.changed_at)}` : "";
    if (body.gone) return `${who} moved ${what} to the trash${at}.`;
    return `${who} changed ${what}${at}.`;
  }

  function inUse(element) {
    const active = document.activeElement;
    if (active && element.contains(active) && active.matches("input, textarea, select, [contenteditable]")) {
      return true;
    }
    if (element.querySelector(".sortable-chosen, .sortable-ghost, .sortable-drag")) return true;
    for (const field of element.querySelectorAll("input, textarea, select")) {
      if (field.type === "hidden" || field.disabled) continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        // With no option marked selected, a one-line select starts on its first option.
        const options = Array.from(field.options);
        const marked = options.some((option) => option.defaultSelected);
        const single = !field.multiple && field.size <= 1;
        const changed = options.some(
          (option, at) => option.selected !== (marked ? option.defaultSelected : single && at === 0),
        );
        if (changed) return true;
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function refresh(element) {
    const changed = new CustomEvent("live:changed", { bubbles: true, cancelable: true });
    if (!element.dispatchEvent(changed)) return;
    const event = element.dataset.liveEvent;
    if (event && window.htmx) {
      window.htmx.trigger(document.body, event);
    } else if (element.dataset.liveRefresh && window.htmx && element.id) {
      window.htmx.ajax("GET", element.dataset.liveRefresh, { target: "#" + element.id, swap: "outerHTML" });
    }
  }

  let bannerFor = null;

  function showBanner(element, text, canReload) {
    const banner = document.getElementById("live-banner");
    if (!banner) return;
    banner.querySelector("[data-live-text]").textContent = text;
    banner.querySelector("[data-live-reload]").hidden = !canReload;
    banner.hidden = false;
    bannerFor = element;
  }

  function hideBanner() {
    const banner = document.getElementById("live-banner");
    if (banner) banner.hidden = true;
    bannerFor = null;
  }

  const watched = new Map();

  function watch(element) {
    if (watched.has(element)) return;
    const what = element.dataset.liveWhat || "this page";
    const poller = poll(element.dataset.liveUrl, {
      etag: element.dataset.liveEtag,
      interval: Number(element.dataset.liveInterval) || 10000,
      // A part taken out of the page without htmx (the backlog's panel closed) stops asking.
      alive: () => document.body.contains(element),
      onChange(body) {
        if (!document.body.contains(element)) return;
        element.dataset.liveEtag = body.etag;
        if (body.mine && !body.gone) {
          // One's own change, made in another tab or by a script: brought in quietly.
          if (!inUse(element)) refresh(element);
          return;
        }
        const text = sentence(body, what);
        if (body.gone) {
          showBanner(element, text, false);
        } else if (inUse(element)) {
          showBanner(element, `${text} Reload to see it; what you typed is kept until you do.`, true);
        } else {
          refresh(element);
        }
        announce(text);
      },
      onGone() {
        showBanner(element, `${what.charAt(0).toUpperCase()}${what.slice(1)} is no longer available.`, false);
      },
    });
    watched.set(element, poller);
  }

  function scan() {
    for (const [element, poller] of watched) {
      if (!document.body.contains(element)) {
        poller.stop();
        watched.delete(element);
        if (bannerFor === element) hideBanner();
      }
    }
    for (const element of document.querySelectorAll("[data-live-url]")) watch(element);
  }

  function init() {
    const banner = document.getElementById("live-banner");
    if (banner) {
      banner.querySelector("[data-live-reload]").addEventListener("click", () => {
        const element = bannerFor;
        hideBanner();
        if (element && document.body.contains(element)) refresh(element);
      });
      banner.querySelector("[data-live-dismiss]").addEventListener("click", hideBanner);
    }
    scan();
    document.addEventListener("htmx:load", scan);
    document.addEventListener("htmx:afterSettle", scan);
  }

  window.Lodestar = window.Lodestar || {};
  window.Lodestar.live = { poll };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
