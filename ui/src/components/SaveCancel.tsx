// A form's Save (waiting while it saves) and Cancel buttons.
export function SaveCancel({ saving, label, testId, onCancel }: { saving: boolean; label: string; testId: string; onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="submit" disabled={saving} data-testid={testId}>
        {saving ? "Saving…" : label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
