// Behaviour that templates would otherwise write inline (the CSP forbids inline script).
document.addEventListener("DOMContentLoaded", () => {
  // Buttons that ask before a destructive action: <button data-confirm="...">
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

// Print buttons (decision letters): the browser's print dialog also saves as PDF.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A form whose target depends on a choice (the lab's manager page: which piece of
// equipment a downtime or an authorisation is for): <button data-formaction-from="select-id">.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!select.id) return;
  document.querySelectorAll(`[data-formaction-from="${select.id}"]`).forEach((button) => {
    button.setAttribute("formaction", select.value);
  });
});

// Charts (Chart.js, vendored): <canvas data-chart='{"type": ..., "data": ...}'>. Each chart
// has an accessible table beside it; the canvas is marked data-rendered once drawn.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    try {
      const config = JSON.parse(canvas.dataset.chart);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      new window.Chart(canvas, config);
      canvas.dataset.rendered = "1";
    } catch (error) {
      canvas.dataset.rendered = "error";
    }
  });
  // Printing (the committee's one-page report): redraw each chart at the printed size.
  const resizeAll = () => Object.values(window.Chart.instances).forEach((chart) => chart.resize());
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  window.matchMedia("print").addEventListener("change", resizeAll);
});
