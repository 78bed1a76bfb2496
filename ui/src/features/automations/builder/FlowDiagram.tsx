// The automation as a flow (@xyflow/react): its trigger, its conditions when it has any, then
// each action in order. Selecting a node opens its form beside the flow; the diagram itself is
// laid out from the definition, top to bottom, not dragged about.
import { Background, type Node, type NodeMouseHandler, ReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { AutomationDefinition } from "../../../bindings/AutomationDefinition";
import { humanize } from "../../../components/format";

/** What a node stands for: `trigger`, `conditions`, or an action's index. */
export type Selected = "trigger" | "conditions" | number;

const GAP = 90;

function summary(definition: AutomationDefinition, selected: Selected): string {
  if (selected === "trigger") {
    const t = definition.trigger;
    if (t.event === "schedule") return `On schedule ${t.schedule ?? ""}`;
    if (t.event === "manual") return "Started by hand";
    return `On ${t.event}`;
  }
  if (selected === "conditions") {
    const c = definition.trigger.conditions;
    if (typeof c === "string") return `If ${c}`;
    if (c && "rows" in c && Array.isArray(c.rows)) return `If ${c.match} of ${c.rows.length} condition(s)`;
    return "If the fields match";
  }
  const action = definition.actions[selected];
  if (!action) return "";
  const p = action.params as Record<string, unknown>;
  const detail = (p.message ?? p.title ?? p.action ?? p.event ?? (p.seconds != null ? `${String(p.seconds)} s` : "")) as string;
  return `${humanize(action.type)}${detail ? `: ${detail}` : ""}`;
}

export function FlowDiagram({
  definition,
  selected,
  onSelect,
}: {
  definition: AutomationDefinition;
  selected: Selected;
  onSelect: (s: Selected) => void;
}) {
  const order: Selected[] = ["trigger", ...(definition.trigger.conditions != null ? (["conditions"] as Selected[]) : []), ...definition.actions.map((_, i) => i)];
  const nodes: Node[] = order.map((s, i) => ({
    id: String(s),
    position: { x: 0, y: i * GAP },
    data: { label: summary(definition, s) },
    type: i === 0 ? "input" : i === order.length - 1 ? "output" : "default",
    selected: s === selected,
    className: `flow-node flow-${typeof s === "number" ? "action" : s}`,
    draggable: false,
    connectable: false,
    ariaLabel: summary(definition, s),
  }));
  const edges = order.slice(1).map((s, i) => ({ id: `${String(order[i])}-${String(s)}`, source: String(order[i]), target: String(s) }));
  const onNodeClick: NodeMouseHandler = (_, node) => onSelect(node.id === "trigger" || node.id === "conditions" ? node.id : Number(node.id));
  return (
    <div className="flow" data-testid="builder-flow">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        onNodeClick={onNodeClick}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}
