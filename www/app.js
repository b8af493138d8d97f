import init, { mountPlayground, lastPanic } from "./pkg/calmly.js";

const app = document.getElementById("app");
const fatal = document.getElementById("calmly-fatal");
try {
  await init();
  app.textContent = "";
  mountPlayground(app);
  app.dataset.state = "ready";
} catch (e) {
  let panic = null;
  try { panic = lastPanic(); } catch {}
  fatal.textContent = "The engine could not start: " + (panic || (e && e.message) || e);
  fatal.hidden = false;
}
