// The phone's own storage: drafts, the outbox and receipts, one IndexedDB per user.
//
// The database's name carries the user name, so a colleague logging in on the
// same phone opens another database and never sees these entries. A record
// keeps its uuid from the first keystroke to the server's answer: that uuid is
// what makes every retry idempotent on the server.
//
// forms:   {uuid, kind, form_type, station, fields, status, body, errors, error,
//           conflict, attempts, next_try, created, updated}
//          status: "draft" (being filled), "waiting" (in the outbox),
//                  "rejected" (the server sent it back to fix)
// sent:    {uuid, kind, title, url, sent} receipts, so the observer sees what arrived
// photos:  {uuid, entry_uuid, kind, question, blob, thumb, name, status, entry_id,
//           attempts, next_try, error}
//          status: "draft" (with its form, not sent yet), "waiting" (its form is in
//                  the outbox), "upload" (its entry is on the server: entry_id known)

const VERSION = 2;
const PREFIX = "eom-offline-";
const KEEP_RECEIPTS = 100;
export const CHANNEL = "eom-offline";
// sessionStorage: a message for the next page (the entry's, once the outbox sent it).
export const FLASH_KEY = "eom-flash";

/** The IndexedDB name for one user. */
export function dbName(username) {
  return PREFIX + encodeURIComponent(username);
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error);
  });
}

/** Whether this user has a database on this phone (without creating one). */
export async function exists(username) {
  if (!indexedDB.databases) { return true; }
  const all = await indexedDB.databases();
  return all.some((db) => db.name === dbName(username));
}

/** Open (or create) the user's database. */
export async function openStore(username) {
  const request = indexedDB.open(dbName(username), VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("forms")) {
      db.createObjectStore("forms", { keyPath: "uuid" }).createIndex("status", "status");
    }
    if (!db.objectStoreNames.contains("sent")) {
      db.createObjectStore("sent", { keyPath: "uuid" }).createIndex("sent", "sent");
    }
    if (!db.objectStoreNames.contains("photos")) {
      const photos = db.createObjectStore("photos", { keyPath: "uuid" });
      photos.createIndex("entry", "entry_uuid");
      photos.createIndex("status", "status");
    }
  };
  return new Store(await done(request), username);
}

class Store {
  constructor(db, username) {
    this.db = db;
    this.username = username;
    // Another tab of the same user changed something: its lists must follow.
    this.channel = "BroadcastChannel" in self ? new BroadcastChannel(CHANNEL) : null;
    // A newer version elsewhere asks to upgrade: let it, this tab reloads later.
    db.onversionchange = () => db.close();
  }

  async _run(storeName, mode, work) {
    const tx = this.db.transaction(storeName, mode);
    const complete = finished(tx);
    complete.catch(() => {});  // awaited below; a failed request already rejects
    const result = await work(tx.objectStore(storeName));
    await complete;
    return result;
  }

  _changed() {
    if (this.channel) { this.channel.postMessage({ user: this.username }); }
  }

  /** One form by uuid, or undefined. */
  get(uuid) {
    return this._run("forms", "readonly", (s) => done(s.get(uuid)));
  }

  /** Save a form (insert or replace), stamping when it changed. */
  async put(record) {
    record.updated = Date.now();
    record.created = record.created || record.updated;
    await this._run("forms", "readwrite", (s) => done(s.put(record)));
    this._changed();
    return record;
  }

  /** Remove a form (a deleted draft, or one the server confirmed). */
  async remove(uuid) {
    await this._run("forms", "readwrite", (s) => done(s.delete(uuid)));
    this._changed();
  }

  /** Forms with a status, oldest first. */
  async withStatus(status) {
    const rows = await this._run("forms", "readonly",
      (s) => done(s.index("status").getAll(status)));
    return rows.sort((a, b) => a.created - b.created);
  }

  /** How many forms are in each status. */
  async counts() {
    const result = { draft: 0, waiting: 0, rejected: 0 };
    const rows = await this._run("forms", "readonly", (s) => done(s.getAll()));
    for (const row of rows) { result[row.status] = (result[row.status] || 0) + 1; }
    // Photos whose entry is already on the server, still to upload.
    result.photos = await this._run("photos", "readonly",
      (s) => done(s.index("status").count("upload")));
    return result;
  }

  /**
   * The server confirmed a form: in one transaction, drop it from the outbox
   * and keep a receipt, so it cannot be both sent and still waiting.
   */
  async confirm(record, receipt) {
    const tx = this.db.transaction(["forms", "sent", "photos"], "readwrite");
    const complete = finished(tx);
    tx.objectStore("forms").delete(record.uuid);
    tx.objectStore("sent").put({ ...receipt, uuid: record.uuid, sent: Date.now() });
    // Its photos can go now: they are uploaded to the entry the server just named.
    const photos = tx.objectStore("photos");
    const request = photos.index("entry").getAll(record.uuid);
    request.onsuccess = () => {
      for (const photo of request.result) {
        photos.put({ ...photo, status: "upload", entry_id: receipt.id, kind: record.kind,
          attempts: 0, next_try: 0 });
      }
    };
    await complete;
    await this._trimReceipts();
    this._changed();
  }

  /** The newest receipts first. */
  async receipts() {
    const rows = await this._run("sent", "readonly", (s) => done(s.getAll()));
    return rows.sort((a, b) => b.sent - a.sent);
  }

  async _trimReceipts() {
    const rows = await this.receipts();
    if (rows.length <= KEEP_RECEIPTS) { return; }
    await this._run("sent", "readwrite", async (s) => {
      for (const row of rows.slice(KEEP_RECEIPTS)) { s.delete(row.uuid); }
    });
  }

  /** Save a photo (insert or replace). */
  async putPhoto(photo) {
    await this._run("photos", "readwrite", (s) => done(s.put(photo)));
    this._changed();
    return photo;
  }

  /** Remove a photo (removed by the observer, uploaded, or refused by the server). */
  async removePhoto(uuid) {
    await this._run("photos", "readwrite", (s) => done(s.delete(uuid)));
    this._changed();
  }

  /** The photos of one form (by the form's uuid), in the order they were taken. */
  async photosOf(entryUuid) {
    const rows = await this._run("photos", "readonly",
      (s) => done(s.index("entry").getAll(entryUuid)));
    return rows.sort((a, b) => a.created - b.created);
  }

  /** Photos with a status, oldest first. */
  async photosWithStatus(status) {
    const rows = await this._run("photos", "readonly",
      (s) => done(s.index("status").getAll(status)));
    return rows.sort((a, b) => a.created - b.created);
  }
}
