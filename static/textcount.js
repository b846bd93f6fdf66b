// A counter under a text box with a limit (textarea[data-count][maxlength]),
// for the comment box of every entry. The browser's maxlength cuts a long
// paste silently; with this script the box takes the text, counts down once
// 80 % of the limit is used and says by how much it is over, and the form is
// not sent while it is. The server checks the same limit and says the same.
// The words come from the page (data-count-left / data-count-over, "%(n)s").

const NEAR = 0.8;

/** Characters as the server counts them: code points, a line break as one. */
function length(text) {
  return [...text.replace(/\r\n?/g, "\n").trim()].length;
}

/** Count down under ``box`` and hold back its form while the text is too long. */
export function countDown(box) {
  const limit = Number(box.getAttribute("maxlength"));
  if (!limit) { return; }
  box.removeAttribute("maxlength");
  const counter = document.createElement("p");
  counter.className = "help counter";
  counter.id = `${box.id}-count`;
  counter.setAttribute("aria-live", "polite");
  box.after(counter);
  box.setAttribute("aria-describedby", counter.id);
  const update = () => {
    const used = length(box.value);
    const over = used > limit;
    counter.hidden = used < limit * NEAR;
    counter.classList.toggle("error", over);
    const template = box.dataset[over ? "countOver" : "countLeft"];
    counter.textContent = template.replace("%(n)s", Math.abs(limit - used).toLocaleString());
    return over;
  };
  box.addEventListener("input", update);
  box.form?.addEventListener("submit", (event) => {
    if (update()) {
      event.preventDefault();
      box.focus();
    }
  });
  update();
}

for (const box of document.querySelectorAll("textarea[data-count][maxlength]")) {
  countDown(box);
}
