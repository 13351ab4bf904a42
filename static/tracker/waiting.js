// A page that waits for the background worker (a download being made, a report being
// read) looks again every few seconds, without reloading itself under the reader: while
// the answer still waits, nothing changes; once it does not, a download starts by itself
// and its status takes the place of this one, or else the page is loaded again.
const waiting = document.querySelector("[data-waiting]");

async function lookAgain() {
  try {
    const response = await fetch(window.location.href, { cache: "no-store" });
    if (response.ok) {
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!next.querySelector("[data-waiting]")) {
        const file = next.querySelector("[data-download]");
        const region = document.querySelector("[data-waiting-region]");
        const replacement = next.querySelector("[data-waiting-region]");
        if (file && region && replacement) {
          document.title = next.title;
          region.replaceChildren(...replacement.childNodes);
          window.location.assign(file.href);
        } else {
          window.location.reload();
        }
        return;
      }
    }
  } catch {
    // Offline for a moment: try again at the next turn.
  }
  window.setTimeout(lookAgain, waiting.dataset.waiting * 1000);
}

if (waiting) {
  window.setTimeout(lookAgain, waiting.dataset.waiting * 1000);
}
