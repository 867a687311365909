extension LabScript {
    /// The script's part: start-up: mounts.json, the pickers, the controls.
    static let start = #"""
        // Start-up: read mounts.json, fill the pickers, wire the controls.
        async function run(action) {
          try {
            await action();
          } catch (error) {
            setNote("lab-status", String(error && error.message ? error.message : error), true);
          }
        }

        function chooseMount(path) {
          state.mount = state.mounts.find((mount) => mount.path === path) || null;
          const select = byID("resource");
          clear(select);
          for (const resource of (state.mount ? state.mount.resources : [])) select.append(el("option", { value: resource.name, text: resource.name }));
          byID("openapi-link").setAttribute("href", state.mount ? state.mount.path + "/openapi.json" : "#");
          if (state.mount && state.mount.journal) byID("journal-mount").value = state.mount.path;
          byID("add-filter").disabled = !profile(state.mount).filters.length;
          renderAuth();
          chooseResource(select.value);
        }

        function chooseResource(name) {
          state.resource = state.mount ? state.mount.resources.find((resource) => resource.name === name) || null : null;
          state.rows = [];
          state.picked = null;
          clear(byID("filters"));
          clear(byID("rows"));
          byID("offset").value = "0";
          byID("browse-prev").disabled = true;
          byID("browse-next").disabled = true;
          setNote("browse-note", state.resource ? "Browse to list the rows of " + state.resource.name + "." : "This mount serves no resource.");
          renderKeyFields();
          byID("checksum").value = "";
          updatePreview();
        }

        async function start() {
          const response = await fetch("/lab/mounts.json", { cache: "no-store" });
          if (!response.ok) throw new Error("mounts.json answered " + response.status);
          const described = await response.json();
          state.mounts = described.mounts.slice().sort((a, b) => a.path.localeCompare(b.path));
          loadStoredCredentials();
          const select = byID("mount");
          for (const mount of state.mounts) select.append(el("option", { value: mount.path, text: (mount.path || "/") + " (" + mount.dialect + ")" }));
          renderJournalMounts();
          const first = state.mounts.find((mount) => mount.dialect === "native") || state.mounts[0];
          if (first) select.value = first.path;
          chooseMount(select.value);
          setNote("lab-status", state.mounts.length + " mount" + (state.mounts.length === 1 ? "" : "s") + " on " + window.location.host + ". Ready.");
          byID("lab-status").setAttribute("data-ready", "true");
        }

        function wire() {
          byID("mount").addEventListener("change", (event) => chooseMount(event.target.value));
          byID("resource").addEventListener("change", (event) => chooseResource(event.target.value));
          byID("add-filter").addEventListener("click", addFilter);
          byID("browse-go").addEventListener("click", () => { byID("offset").value = byID("offset").value || "0"; run(() => browse()); });
          byID("browse-next").addEventListener("click", () => pageBy(1));
          byID("browse-prev").addEventListener("click", () => pageBy(-1));
          for (const id of ["method", "target", "body", "checksum", "checksum-as", "override", "ignoredeleted", "handling", "max-affected", "dryrun", "dryrun-as", "limit", "offset"]) {
            byID(id).addEventListener("input", updatePreview);
            byID(id).addEventListener("change", updatePreview);
          }
          byID("send").addEventListener("click", () => run(sendComposed));
          byID("journal-refresh").addEventListener("click", () => run(refreshJournal));
          byID("undo-confirm").addEventListener("click", () => run(undoConfirm));
          byID("undo-confirm").disabled = true;
        }

        document.addEventListener("DOMContentLoaded", () => {
          wire();
          run(start);
        });

        """#
}
