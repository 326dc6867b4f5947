// The GOV.UK timeout warning: two minutes before the server signs an idle user out, a modal
// dialog says so and counts down; "Stay signed in" (or Escape) keeps the session, "Sign out"
// signs out now. The server keeps the time (/session/status): use in another tab counts.
const dialog = document.getElementById("timeout-warning");

if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idle);
  const warning = Number(dialog.dataset.warning);
  const countdown = dialog.querySelector(".app-timeout__countdown");
  const announce = dialog.querySelector(".app-timeout__announce");
  let timers = [];
  let deadline = 0;

  const clear = () => { timers.forEach(clearTimeout); timers = []; };
  const words = (seconds) => {
    const m = Math.floor(seconds / 60), s = seconds % 60;
    const parts = [];
    if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
    if (s || !m) parts.push(`${s} second${s === 1 ? "" : "s"}`);
    return parts.join(" ");
  };
  const ask = async (url, method) => {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      redirect: "manual", // signed out already: the server sends us to sign in
      headers: { Accept: "application/json", "X-CSRFToken": dialog.dataset.csrf },
    });
    if (response.type === "opaqueredirect" || !response.ok) {
      return { signed_out: true, url: dialog.dataset.login };
    }
    return response.json();
  };
  const leave = (url) => { window.location.assign(url); };

  const schedule = (remaining) => {
    clear();
    deadline = Date.now() + remaining * 1000;
    timers.push(setTimeout(warn, Math.max(remaining - warning, 0) * 1000));
    timers.push(setTimeout(expire, remaining * 1000));
  };
  const tick = () => {
    const left = Math.max(Math.round((deadline - Date.now()) / 1000), 0);
    countdown.textContent = words(left);
    if (left === 60 || left === 30) announce.textContent = `We will sign you out in ${words(left)}.`;
    if (left > 0 && dialog.open) timers.push(setTimeout(tick, 1000));
  };
  const warn = async () => {
    const state = await ask(dialog.dataset.status, "GET");
    if (state.signed_out) return leave(state.url);
    if (state.remaining > warning + 5) return schedule(state.remaining); // used in another tab
    deadline = Date.now() + state.remaining * 1000;
    if (!dialog.open) dialog.showModal();
    announce.textContent = `For your security, we will sign you out in ${words(state.remaining)}.`;
    tick();
  };
  const expire = async () => {
    const state = await ask(dialog.dataset.timeout, "POST");
    if (state.signed_out) return leave(state.url);
    if (dialog.open) dialog.close();
    schedule(state.remaining);
  };
  const stay = async () => {
    const state = await ask(dialog.dataset.keepAlive, "POST");
    if (state.signed_out) return leave(state.url);
    if (dialog.open) dialog.close();
    schedule(state.remaining);
  };

  dialog.querySelector('[data-timeout="stay"]').addEventListener("click", stay);
  dialog.querySelector('[data-timeout="sign-out"]').addEventListener("click", () => {
    document.getElementById("sign-out-form").submit();
  });
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); stay(); }); // Escape
  schedule(idle);
}
