// The roadmap's lanes: drag a card to another lane or place; the drop fills the page's drop
// form (the entry, its lane and its place, 1 being first) and sends it to the address the
// lanes' move forms post to.
(function () {
  "use strict";
  function init() {
    const root = document.getElementById("roadmap-lanes");
    if (!root || root.dataset.writes !== "1" || !window.Sortable) return;
    root.querySelectorAll(".rm-list").forEach((list) => {
      window.Sortable.create(list, {
        group: "roadmap",
        draggable: ".rm-card",
        filter: "a",
        preventOnFilter: false,
        forceFallback: true,
        fallbackTolerance: 4,
        delay: 250,
        delayOnTouchOnly: true,
        animation: 120,
        onEnd(event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          const form = document.getElementById("rm-drop");
          if (!form) return;
          const cards = [...event.to.querySelectorAll(".rm-card")];
          form.elements.entry.value = event.item.dataset.entry;
          form.elements.lane.value = event.to.dataset.lane;
          form.elements.place.value = String(cards.indexOf(event.item) + 1);
          form.submit();
        },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
