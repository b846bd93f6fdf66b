// Photos on a form: taken with the camera or picked from the gallery, shrunk
// on the phone (a 4 MB camera photo becomes ~300 KB), kept in the phone's
// storage with the form, uploaded by the outbox once the entry is on the
// server. Each photo has its own uuid: a retried upload never stores twice.
//
// Thumbnails are small data: URLs (the CSP allows data: images, not blob:).

import { el } from "./ui.js";

export const LONGEST_SIDE = 1600;
export const QUALITY = 0.8;
const THUMB_SIDE = 160;

function scaled(width, height, longest) {
  const factor = Math.min(1, longest / Math.max(width, height));
  return [Math.max(1, Math.round(width * factor)), Math.max(1, Math.round(height * factor))];
}

function canvasOf(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function blobOf(canvas, type, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode"))), type, quality);
  });
}

/**
 * A picked image file shrunk to a JPEG (longest side LONGEST_SIDE) and a
 * thumbnail as a data: URL. Rejects when the file is not an image the browser reads.
 */
export async function shrink(file) {
  // "from-image": a portrait photo stays upright (its EXIF orientation applied).
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const [width, height] = scaled(bitmap.width, bitmap.height, LONGEST_SIDE);
    const canvas = canvasOf(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    const blob = await blobOf(canvas, "image/jpeg", QUALITY);
    const [tw, th] = scaled(width, height, THUMB_SIDE);
    const small = canvasOf(tw, th);
    small.getContext("2d").drawImage(canvas, 0, 0, tw, th);
    return { blob, width, height, thumb: small.toDataURL("image/jpeg", 0.7) };
  } finally {
    bitmap.close();
  }
}

/**
 * What a photo can be about, as [name, label] for the picker: the counting form's
 * protocol sections first (section[data-protocol-section]: the photo of a posted
 * protocol is the evidence a mission keeps), then the questions (div.field#q-NAME).
 */
export function questionsOf(form) {
  const found = [];
  // A heading's or label's own words, without the interpreter's second language
  // (span.second, static/interpreter.js) or the required mark.
  const words = (node) => [...node.childNodes]
    .filter((child) => !(child.classList && (child.classList.contains("second")
      || child.classList.contains("req"))))
    .map((child) => child.textContent).join("").replace(/\s+/g, " ").trim();
  for (const section of form.querySelectorAll("[data-protocol-section]")) {
    const title = section.querySelector("h2");
    found.push([section.getAttribute("data-protocol-section"),
      title ? words(title) : section.id]);
  }
  for (const box of form.querySelectorAll(".field[id^='q-']")) {
    const name = box.id.slice(2);
    if (["arrival_date", "arrival_time", "departure_date", "departure_time"].includes(name)) {
      continue;
    }
    const label = box.querySelector("legend, label");
    const text = label ? words(label) : name;
    found.push([name, text.length > 70 ? `${text.slice(0, 69)}…` : text]);
  }
  return found;
}

/**
 * The photos card: camera and gallery inputs, the question a photo belongs to,
 * thumbnails with a remove button. M: the page's messages. Events go to
 * onFiles(files, question) and onRemove(uuid).
 */
export function photoCard(form, M, { onFiles, onRemove }) {
  const picker = el("select", { id: "photo-question", name: "" },
    el("option", { value: "", text: M.photo_no_question }),
    questionsOf(form).map(([value, text]) => el("option", { value, text })));
  const camera = el("input", { type: "file", id: "photo-camera", accept: "image/*",
    capture: "environment", class: "photo-input" });
  const gallery = el("input", { type: "file", id: "photo-gallery", accept: "image/*",
    multiple: true, class: "photo-input" });
  const list = el("ul", { class: "photos", "data-photos": true });
  const card = el("section", { class: "card photo-card", "data-photo-card": true },
    el("h2", { text: M.photos }),
    el("p", { class: "help", text: M.photos_help }),
    el("div", { class: "field" }, el("label", { for: "photo-question", text: M.photo_question }),
      picker),
    el("p", { class: "photo-buttons" },
      el("label", { for: "photo-camera", class: "button secondary", text: M.photo_camera }),
      camera, " ",
      el("label", { for: "photo-gallery", class: "button secondary", text: M.photo_gallery }),
      gallery),
    list);
  for (const input of [camera, gallery]) {
    // Not form fields: the form's own values (and the server's form) never see them.
    input.removeAttribute("name");
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = "";
      if (files.length) { onFiles(files, picker.value); }
    });
  }
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-photo]");
    if (button) { onRemove(button.getAttribute("data-remove-photo")); }
  });
  return card;
}

/** Draw the thumbnails of a form's photos (from the store), with their messages. */
export function renderPhotos(card, photos, M, problems = {}) {
  const list = card.querySelector("[data-photos]");
  const labels = Object.fromEntries([...card.querySelectorAll("#photo-question option")]
    .map((o) => [o.value, o.textContent]));
  const items = photos.map((photo) => el("li", { class: "photo", "data-photo": photo.uuid },
    el("img", { src: photo.thumb, alt: M.photo_alt, width: 80 }),
    el("span", { class: "help", text: photo.question ? labels[photo.question] || photo.question
      : M.photo_no_question }),
    ["draft", "rejected"].includes(photo.status) || !photo.status
      ? el("button", { type: "button", class: "link danger", "data-remove-photo": photo.uuid,
        text: M.photo_remove }) : null));
  for (const [uuid, text] of Object.entries(problems)) {
    items.push(el("li", { class: "photo refused", "data-photo": uuid },
      el("p", { class: "error", role: "alert", text })));
  }
  list.replaceChildren(...items);
}
