// A button that keeps the focus while it cannot act: `aria-disabled` rather than `disabled`,
// which would drop the focus to the page body (paging to the last page, an action running).
import type { ComponentPropsWithRef } from "react";

export function FocusableButton({
  disabled,
  onClick,
  ...rest
}: Omit<ComponentPropsWithRef<"button">, "onClick" | "type"> & { disabled: boolean; onClick: () => void }) {
  return <button type="button" {...rest} aria-disabled={disabled} onClick={() => !disabled && onClick()} />;
}
