// In the browser, for one explorer (the .gradlab-explorer box around this hidden widget): name each
// control and announce its value as shown, give the picture its alt text and the progress bar its
// role, and tell the kernel the screen's pixel density (again when it changes).

function set(node, attribute, value) {
  if (node.getAttribute(attribute) !== value) node.setAttribute(attribute, value);
}

function label(explorer, alt) {
  for (const slider of explorer.querySelectorAll(".widget-slider")) {
    const handle = slider.querySelector(".noUi-handle");
    const name = slider.querySelector(".widget-label");
    const readout = slider.querySelector(".widget-readout");
    if (!handle) continue;
    if (name) set(handle, "aria-label", name.textContent);
    if (readout) set(handle, "aria-valuetext", readout.textContent); // "0.5", not the slider's index "3.00"
  }
  for (const row of explorer.querySelectorAll(".widget-progress")) {
    const bar = row.querySelector(".progress"), fill = row.querySelector(".progress-bar");
    if (!bar || !fill) continue;
    const percent = String(Math.round(parseFloat(fill.style.width) || 0));
    set(bar, "role", "progressbar");
    set(bar, "aria-label", row.querySelector(".widget-label")?.textContent ?? "progress");
    set(bar, "aria-valuemin", "0");
    set(bar, "aria-valuemax", "100");
    set(bar, "aria-valuenow", percent);
    set(bar, "aria-valuetext", `${percent} %`);
  }
  const picture = explorer.querySelector("img.widget-image");
  if (picture) set(picture, "alt", alt);
}

export default {
  render({ model, el }) {
    let observer = null, frame = 0;
    const start = () => { // the explorer's box exists once this widget is in the page
      const explorer = el.closest(".gradlab-explorer");
      if (!explorer) { frame = requestAnimationFrame(start); return; }
      const update = () => label(explorer, model.get("alt"));
      observer = new MutationObserver(update);
      observer.observe(explorer, {subtree: true, childList: true, characterData: true,
                                  attributes: true, attributeFilter: ["aria-valuetext", "style", "class"]});
      update();
    };
    start();
    let density = null;
    const report = () => { // now, and whenever the window moves to a screen of another density
      if (model.get("pixel_ratio") !== window.devicePixelRatio) {
        model.set("pixel_ratio", window.devicePixelRatio);
        model.save_changes();
      }
      density?.removeEventListener("change", report);
      density = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
      density.addEventListener("change", report);
    };
    report();
    return () => { cancelAnimationFrame(frame); observer?.disconnect(); density?.removeEventListener("change", report); };
  },
};
