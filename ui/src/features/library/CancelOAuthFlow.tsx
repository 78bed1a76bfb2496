// Cancels an OAuth flow that is waiting for the browser. The flow's own call then fails with
// `cancelled`; if the cancel itself fails, it says so here rather than leaving the form waiting.
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAction } from "../../data/useAction";
import { call } from "../../ipc";
import { FocusableButton } from "../../components/FocusableButton";

export function CancelOAuthFlow({ flowId, testId }: { flowId: string; testId?: string }) {
  const cancel = useAction(() => call("oauth_cancel", { flow_id: flowId }), []);
  return (
    <>
      <FocusableButton data-testid={testId} disabled={cancel.isPending} onClick={() => cancel.mutate(undefined)}>
        {cancel.isPending ? "Cancelling…" : "Cancel"}
      </FocusableButton>
      {cancel.error && <ErrorNotice error={cancel.error} />}
    </>
  );
}
