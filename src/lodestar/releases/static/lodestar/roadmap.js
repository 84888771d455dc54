// The roadmap's lanes: drag a card to another lane or place; the drop fills the card's own
// Move form (lane and position) and sends it, so dragging and the form are one path.
(function () {
  "use strict";
  function init() {
    const root = document.getElementById("roadmap-lanes");
    if (!root || root.dataset.writes !== "1" || !window.Sortable) return;
    root.querySelectorAll(".rm-list").forEach((list) => {
      window.Sortable.create(list, {
        group: "roadmap",
        draggable: ".rm-card",
        filter: "button, select, input, a",
        preventOnFilter: false,
        forceFallback: true,
        fallbackTolerance: 4,
        delay: 250,
        delayOnTouchOnly: true,
        animation: 120,
        onEnd(event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          const form = event.item.querySelector("form.rm-move");
          if (!form) return;
          form.querySelector("[name=lane]").value = event.to.dataset.lane;
          const cards = [...event.to.querySelectorAll(".rm-card")];
          form.querySelector("[name=position]").value = String(cards.indexOf(event.item));
          form.submit();
        },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
