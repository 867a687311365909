/// The REST Lab's style sheet: system fonts only (nothing is fetched), readable on a narrow
/// window (the panels stack, wide tables scroll inside their panel), visible keyboard focus.
enum LabStyle {
    static let css = #"""
        :root {
          --ink: #1d232b; --muted: #5b6470; --line: #d5dae1; --panel: #ffffff; --page: #f3f5f8;
          --accent: #1f5fbf; --danger: #b3261e; --delete: #b3261e; --update: #8a5a00; --insert: #17733a;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          font-size: 15px; color: var(--ink); background: var(--page);
        }
        * { box-sizing: border-box; }
        body { margin: 0; }
        header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; padding: .6rem 1rem;
          background: #15324f; color: #fff; }
        header.top h1 { font-size: 1.25rem; margin: 0; }
        header.top p { margin: 0; color: #d6e4f5; }
        main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .8rem; padding: .8rem; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem .8rem; min-width: 0; }
        #where, #browse, #trees, #journal { grid-column: 1 / -1; }
        h2 { font-size: 1.05rem; margin: .4rem 0 .5rem; }
        h3 { font-size: .95rem; margin: .3rem 0; }
        .row { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .5rem; margin: .3rem 0; }
        label { color: var(--muted); }
        input, select, textarea, button { font: inherit; color: inherit; }
        input, select, textarea { border: 1px solid #b9c0ca; border-radius: 4px; padding: .2rem .35rem; background: #fff; max-width: 100%; }
        input[type=number] { width: 6.5rem; }
        textarea:disabled { background: #f0f2f5; }
        textarea { width: 100%; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9rem; }
        button { border: 1px solid #9aa4b1; border-radius: 4px; background: #eef1f5; padding: .25rem .7rem; cursor: pointer; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
        button:disabled { opacity: .5; cursor: not-allowed; }
        :focus-visible { outline: 3px solid #f0a500; outline-offset: 1px; }
        fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .4rem 0; padding: .2rem .6rem .4rem; }
        fieldset:disabled, .off { opacity: .55; }
        legend { color: var(--muted); padding: 0 .3rem; }
        code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88rem; }
        pre { white-space: pre-wrap; word-break: break-word; margin: .3rem 0; }
        pre.preview { background: #f6f8fa; border: 1px dashed var(--line); padding: .4rem; min-height: 1.5rem; }
        pre.body { background: #0f1720; color: #e6edf3; padding: .5rem; max-height: 28rem; overflow: auto; border-radius: 4px; }
        .note { color: var(--muted); margin: .3rem 0; }
        .error { color: var(--danger); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-size: .9rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        td.null { color: var(--muted); font-style: italic; }
        tr.picked td { background: #fff6d6; }
        #response-headers td:first-child { color: var(--muted); white-space: nowrap; }
        #response-status { word-break: break-all; }
        .status-ok { color: var(--insert); font-weight: 600; }
        .status-bad { color: var(--danger); font-weight: 600; }
        .problem { border-left: 4px solid var(--danger); background: #fdf0ef; padding: .4rem .6rem; margin: .3rem 0; }
        .problem p { margin: .15rem 0; }
        .auth { border-top: 1px solid var(--line); margin-top: .5rem; padding-top: .3rem; }
        .trees { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .8rem; }
        .tree ul { list-style: none; margin: 0; padding-left: 1.2rem; border-left: 1px dotted #aab3bf; }
        .tree > ul { padding-left: 0; border-left: none; }
        .tree li { margin: .2rem 0; }
        .node { display: inline-flex; flex-wrap: wrap; gap: .1rem .4rem; align-items: baseline; }
        .verb { font-size: .75rem; font-weight: 700; padding: 0 .3rem; border-radius: 3px; color: #fff; }
        .verb-DELETE { background: var(--delete); }
        .verb-UPDATE { background: var(--update); }
        .verb-INSERT { background: var(--insert); }
        .via { color: var(--muted); font-size: .85rem; }
        .values { color: var(--muted); font-size: .82rem; }
        .counts { font-weight: 600; margin: .2rem 0 .4rem; }
        .undo { border-top: 1px solid var(--line); margin-top: .5rem; }
        @media (max-width: 760px) {
          main { grid-template-columns: minmax(0, 1fr); padding: .4rem; }
          .trees { grid-template-columns: minmax(0, 1fr); }
          #composer, #answer { grid-column: 1 / -1; }
        }

        """#
}
