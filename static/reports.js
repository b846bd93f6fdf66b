// The reports page (templates/reports/index.html): a PDF takes seconds to make, so
// instead of a page that looks frozen, fetch it with a "Preparing the report…"
// status, then hand it to the browser as a download. Without JavaScript (or when
// the answer is not a PDF, e.g. the filter form with its messages) the form's
// ordinary GET does the same.

/** The file name from a Content-Disposition header, or a fallback. */
function fileName(disposition, fallback) {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
  return match ? decodeURIComponent(match[1]) : fallback;
}

/** Save a downloaded PDF under its name. */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Fetch the report the pressed button asks for, showing progress in ``status``. */
async function download(form, button, status) {
  const action = button.getAttribute("formaction") || form.getAttribute("action");
  const url = `${action}?${new URLSearchParams(new FormData(form))}`;
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  status.textContent = status.dataset.preparing;
  status.hidden = false;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.startsWith("application/pdf")) {
      window.location.assign(url);  // the page with what is wrong, as without JavaScript
      return;
    }
    save(await response.blob(), fileName(response.headers.get("Content-Disposition"),
                                         "report.pdf"));
    status.textContent = status.dataset.done;
  } catch (error) {
    status.textContent = status.dataset.failed;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

const form = document.getElementById("report-form");
const status = document.getElementById("report-status");
if (form && status && window.fetch && window.URL && URL.createObjectURL) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    download(form, event.submitter || form.querySelector("button[type=submit]"), status);
  });
}
