/* The sprint pages: dragging items between the backlog and the sprint while planning, and
 * cards between columns on the board (or with Alt+Left/Right), through the same forms the
 * buttons submit; the board refreshes itself when its poll (live.js) says a card changed. */
(function () {
  "use strict";

  function announce(text) {
    const region = document.getElementById("sp-announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => (region.textContent = text), 30);
  }

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit();
    else form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
  }

  // -- planning --------------------------------------------------------------------------

  let planSortables = [];

  function initPlanning() {
    planSortables.forEach((s) => s.destroy());
    planSortables = [];
    const root = document.getElementById("planning");
    if (!root || root.dataset.writes !== "1" || !window.Sortable) return;
    root.querySelectorAll(".sp-cards").forEach((list) => {
      planSortables.push(
        window.Sortable.create(list, {
          group: "plan",
          draggable: ".sp-card",
          filter: "button, a, input",
          preventOnFilter: false,
          forceFallback: true,
          fallbackTolerance: 4,
          delay: 250,
          delayOnTouchOnly: true,
          animation: 120,
          sort: false,
          onAdd(event) {
            const form = event.item.querySelector("form");
            const key = event.item.dataset.key;
            pendingPlan = { key, to: event.to.dataset.list };
            if (form) submit(form);
          },
        }),
      );
    });
  }

  let pendingPlan = null;

  // The Add / Back buttons (the keyboard way) announce their move as a drag does.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#planning [data-move]");
    if (!button) return;
    const card = button.closest(".sp-card");
    const from = card.closest(".sp-cards").dataset.list;
    pendingPlan = { key: card.dataset.key, to: from === "sprint" ? "backlog" : "sprint" };
  });

  // -- the board -------------------------------------------------------------------------

  let boardSortables = [];
  let pendingMove = null;
  let dragging = false;

  function board() {
    return document.getElementById("board");
  }

  function columns() {
    const root = board();
    return root ? [...root.querySelectorAll(".sp-column-head")].map((h) => h.parentElement.dataset.status) : [];
  }

  function moveCard(card, status) {
    const form = card.querySelector("form");
    const select = form && form.querySelector("select[name=status]");
    if (!select || status === card.dataset.status) return;
    select.value = status;
    const label = select.options[select.selectedIndex].textContent;
    pendingMove = { key: card.dataset.key, status, label, focus: card.contains(document.activeElement) || document.activeElement === card };
    submit(form);
  }

  function initBoard() {
    boardSortables.forEach((s) => s.destroy());
    boardSortables = [];
    const root = board();
    if (!root) return;
    root.classList.add("sp-js");
    if (root.dataset.writes !== "1" || !window.Sortable) return;
    root.querySelectorAll(".sp-drop").forEach((list) => {
      boardSortables.push(
        window.Sortable.create(list, {
          group: "board",
          draggable: ".sp-board-card",
          filter: "button, select, input",
          preventOnFilter: false,
          forceFallback: true,
          fallbackTolerance: 4,
          delay: 250,
          delayOnTouchOnly: true,
          animation: 120,
          sort: false,
          onStart() {
            dragging = true;
          },
          onEnd() {
            dragging = false;
            if (refreshLater) window.setTimeout(() => refreshLater && refresh(), 0);
          },
          onAdd(event) {
            moveCard(event.item, event.to.dataset.status);
          },
        }),
      );
    });
  }

  document.addEventListener("keydown", (event) => {
    const card = event.target.closest && event.target.closest(".sp-board-card");
    if (!card || card !== event.target || !event.altKey) return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    if (!board() || board().dataset.writes !== "1") return;
    event.preventDefault();
    const order = columns();
    const at = order.indexOf(card.dataset.status) + (event.key === "ArrowRight" ? 1 : -1);
    if (at < 0 || at >= order.length) {
      announce(`${card.dataset.key} is already in the ${at < 0 ? "first" : "last"} column.`);
      return;
    }
    moveCard(card, order[at]);
  });

  // A change the board could not take at once (a drag, a form in use) is taken after it.
  let refreshLater = false;

  function refresh() {
    const root = board();
    if (!root || !window.htmx) return false;
    if (dragging || (root.contains(document.activeElement) && document.activeElement.closest("form, details"))) {
      refreshLater = true;
      return false;
    }
    refreshLater = false;
    const focused = document.activeElement && document.activeElement.closest(".sp-board-card");
    pendingMove = pendingMove || (focused ? { key: focused.dataset.key, refresh: true, focus: true } : null);
    window.htmx.ajax("GET", root.dataset.refreshUrl, { target: "#board", swap: "outerHTML" });
    return true;
  }

  // live.js polls the board (data-live-url) and says when a card changed; the board refreshes
  // itself, keeping the focused card focused.
  document.addEventListener("live:changed", (event) => {
    if (event.target !== board()) return;
    event.preventDefault();
    refresh();
  });
  document.addEventListener("focusout", () => {
    if (refreshLater) window.setTimeout(() => refreshLater && refresh(), 0);
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!target) return;
    if (board() && (target.id === "board" || !document.body.contains(target))) {
      initBoard();
      if (pendingMove) {
        const card = board().querySelector(`.sp-board-card[data-key="${pendingMove.key}"]`);
        if (card && pendingMove.focus) card.focus();
        if (!pendingMove.refresh && card && card.dataset.status === pendingMove.status) {
          announce(`${pendingMove.key} moved to ${pendingMove.label}.`);
        }
        pendingMove = null;
      }
    }
    if (document.getElementById("planning")) {
      initPlanning();
      if (pendingPlan) {
        const where = pendingPlan.to === "sprint" ? "into the sprint" : "back to the backlog";
        const card = document.querySelector(`#planning .sp-card[data-key="${pendingPlan.key}"]`);
        if (card && card.closest(".sp-cards").dataset.list === pendingPlan.to) announce(`${pendingPlan.key} moved ${where}.`);
        pendingPlan = null;
      }
    }
  });

  function init() {
    initPlanning();
    initBoard();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
