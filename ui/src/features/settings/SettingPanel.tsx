// One setting: a titled panel, what it does, its field, and a Save button that waits for the
// save and is disabled, saying why, for an operator whose role may not change it.
import type { ReactNode } from "react";

export function SettingPanel({
  title,
  help,
  submit,
  testId,
  disabled = false,
  denied,
  saving,
  onSubmit,
  children,
}: {
  title: string;
  help: string;
  submit: string;
  testId: string;
  disabled?: boolean;
  /** Why the acting operator may not change it, when they may not. */
  denied?: string;
  /** A save is under way: the buttons wait for it. */
  saving: boolean;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        if (!disabled && !denied && !saving) onSubmit();
      }}
    >
      <h2>{title}</h2>
      <p className="muted small">{help}</p>
      {children}
      <div className="form-actions">
        {/* aria-disabled, not disabled: the button keeps the focus while it saves. */}
        <button type="submit" aria-disabled={disabled || !!denied || saving} title={denied} data-testid={testId}>
          {saving ? "Saving…" : submit}
        </button>
      </div>
    </form>
  );
}
