package dev.warren.streaming.datapath;

import dev.warren.net.internal.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a parsed request into the graph of a datapath: one node per stage, edges with their ranges,
 * stage classes resolved, roles decided by position, the datapath's own options taken out, every
 * stage's options checked ({@link StageType#tryex}) and the chains ({@link Region}s) found. Touches
 * nothing outside: every refusal is a {@link RequestException} before anything is opened.
 */
final class GraphBuilder {
    /** The default ring of an exported stream. */
    static final long DEFAULT_RING = 1 << 20;

    private record Entry(Node node, Range range, int rangePos, int branch) {}

    private record Frag(List<Entry> entries, List<Node> exits) {}

    /** The result: nodes in request order, and the regions. */
    record Graph(List<Node> nodes, List<Region> regions) {}

    private final String request;
    private final Map<String, StageType> types;
    private final List<Node> nodes = new ArrayList<>();

    private GraphBuilder(String request, Map<String, StageType> types) {
        this.request = request;
        this.types = types;
    }

    static Graph build(String request, Map<String, StageType> types) {
        Ast.Seq seq = RequestParser.parse(request);
        GraphBuilder b = new GraphBuilder(request, types);
        Frag top = b.compile(seq);
        for (Entry e : top.entries()) {
            if (e.range() != null) {
                throw b.error(e.rangePos(), "a range needs an edge into its branch: nothing comes before this group");
            }
        }
        for (Node n : b.nodes) {
            b.resolve(n);
        }
        for (Node n : b.nodes) {
            b.tryex(n);
        }
        for (Node n : b.nodes) {
            if (n.type.name().equals(BoundaryType.NAME)) {
                n.link = new BoundaryLink(n, BoundaryType.capacity(n.options), BoundaryType.policy(n.options));
            }
        }
        return new Graph(List.copyOf(b.nodes), b.regions());
    }

    private Frag compile(Ast.Seq seq) {
        Frag cur = compile(seq.elements().get(0));
        List<Entry> entries = cur.entries();
        for (int k = 0; k < seq.links().size(); k++) {
            Ast.Link link = seq.links().get(k);
            Frag next = compile(seq.elements().get(k + 1));
            for (Node x : cur.exits()) {
                for (Entry e : next.entries()) {
                    Range r;
                    if (link.route()) {
                        r = Range.of(e.branch());
                    } else if (e.range() != null) {
                        r = e.range();
                    } else if (link.range() != null) {
                        r = link.range();
                    } else {
                        r = Range.DEFAULT;
                    }
                    x.addEdge(e.node(), r);
                }
            }
            cur = next;
        }
        return new Frag(entries, cur.exits());
    }

    private Frag compile(Ast.Element el) {
        if (el instanceof Ast.StageRef ref) {
            Node n = new Node(nodes.size(), ref);
            nodes.add(n);
            return new Frag(List.of(new Entry(n, null, -1, 0)), List.of(n));
        }
        Ast.Group g = (Ast.Group) el;
        List<Entry> entries = new ArrayList<>();
        List<Node> exits = new ArrayList<>();
        int branch = 0;
        for (Ast.Branch b : g.branches()) {
            branch++;
            Frag f = compile(b.seq());
            for (Entry e : f.entries()) {
                // the innermost range wins: it was written closest to the stage
                entries.add(
                        e.range() != null
                                ? new Entry(e.node(), e.range(), e.rangePos(), branch)
                                : new Entry(e.node(), b.range(), b.rangePos(), branch));
            }
            exits.addAll(f.exits());
        }
        return new Frag(entries, exits);
    }

    private void resolve(Node n) {
        Ast.StageRef ref = n.ref;
        StageType type = types.get(ref.name());
        if (type == null) {
            throw error(ref.namePos(), "unknown stage '" + ref.name() + "'" + suggestion(ref.name()));
        }
        Map<String, String> opts = new LinkedHashMap<>();
        Map<String, Integer> where = new LinkedHashMap<>();
        String name = null;
        boolean export = type.name().equals(ExportType.NAME);
        int exportPos = ref.pos();
        long ring = -1;
        for (Ast.Option o : ref.options()) {
            if (where.containsKey(o.key())) {
                throw error(o.pos(), "option '" + o.key() + "' given twice");
            }
            where.put(o.key(), o.pos());
            switch (o.key()) {
                case "name" -> {
                    if (o.value() == null || o.value().isEmpty()) {
                        throw error(o.pos(), "option 'name' needs a value: name=...");
                    }
                    name = o.value();
                }
                case "export" -> {
                    if (o.value() != null) {
                        throw error(o.pos(), "'export' is a flag: write (…,export,name=NAME)");
                    }
                    export = true;
                    exportPos = o.pos();
                }
                case "ring" -> {
                    try {
                        ring = StageOptions.of(type.name(), Map.of("ring", o.value() == null ? "" : o.value()))
                                .size("ring", DEFAULT_RING, 4096, 1L << 30);
                    } catch (IllegalArgumentException e) {
                        throw error(o.pos(), e.getMessage());
                    }
                }
                default -> opts.put(o.key(), o.value());
            }
        }
        if (export && name == null) {
            throw error(exportPos, "an exported stream needs a name: (…,export,name=NAME)");
        }
        if (ring >= 0 && !export) {
            throw error(where.get("ring"), "'ring' sizes an exported stream: add export,name=NAME");
        }
        boolean boundary = type.name().equals(BoundaryType.NAME);
        if (boundary && export) {
            throw error(exportPos, "a boundary cannot export: export from the stage before or after it");
        }
        n.type = type;
        n.options = StageOptions.of(type.name(), opts);
        n.label = name != null ? name : type.name();
        n.exportName = export ? name : null;
        n.ringBytes = ring >= 0 ? ring : DEFAULT_RING;
        n.role = n.inputs == 0 ? Role.SOURCE : Role.STAGE;
        Set<Role> roles = type.roles();
        if (!roles.contains(n.role)) {
            if (n.role == Role.SOURCE) {
                throw error(
                        ref.namePos(),
                        "stage '" + type.name() + "' has no input: a datapath starts with a source ("
                                + String.join(", ", sources()) + ")");
            }
            throw error(ref.namePos(), "'" + type.name() + "' is a source: it cannot take input");
        }
        n.endsPending = n.inputs;
    }

    private void tryex(Node n) {
        try {
            n.type.tryex(n.options, n.role);
        } catch (StageOptions.BadOption e) {
            int pos = n.ref.namePos();
            for (Ast.Option o : n.ref.options()) {
                if (o.key().equals(e.key)) {
                    pos = o.pos();
                }
            }
            throw error(pos, "stage '" + n.type.name() + "': " + e.getMessage());
        } catch (RuntimeException e) {
            throw error(n.ref.namePos(), "stage '" + n.type.name() + "': " + e.getMessage());
        }
    }

    /**
     * Chains: union of the nodes joined by edges, a boundary's output side counted apart from its input
     * side. A boundary whose output joins its own input's chain could wait for itself, and is refused.
     */
    private List<Region> regions() {
        int n = nodes.size();
        int[] parent = new int[2 * n];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (Node x : nodes) {
            int from = x.link != null ? n + x.index : x.index;
            for (Edge e : x.out) {
                union(parent, from, e.to.index);
            }
        }
        for (Node x : nodes) {
            if (x.link != null && find(parent, x.index) == find(parent, n + x.index)) {
                throw error(
                        x.ref.pos(),
                        "this boundary's output joins its own input again through another branch, so"
                                + " it could wait for itself: put the boundary where the branches do not meet again");
            }
        }
        Map<Integer, Region> byRoot = new LinkedHashMap<>();
        for (Node x : nodes) {
            x.region = byRoot.computeIfAbsent(find(parent, x.index), r -> new Region(byRoot.size()));
            x.outRegion = x.link == null
                    ? x.region
                    : byRoot.computeIfAbsent(find(parent, n + x.index), r -> new Region(byRoot.size()));
        }
        return List.copyOf(byRoot.values());
    }

    private static int find(int[] p, int i) {
        while (p[i] != i) {
            p[i] = p[p[i]];
            i = p[i];
        }
        return i;
    }

    private static void union(int[] p, int a, int b) {
        p[find(p, a)] = find(p, b);
    }

    private List<String> sources() {
        List<String> s = new ArrayList<>();
        for (StageType t : types.values()) {
            if (t.roles().contains(Role.SOURCE)) {
                s.add(t.name());
            }
        }
        return s;
    }

    private String suggestion(String name) {
        String best = null;
        int bestD = 3;
        for (String k : types.keySet()) {
            int d = Suggestions.distance(name, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return (best != null ? " (did you mean '" + best + "'?)" : "") + "; known stages: "
                + String.join(", ", types.keySet());
    }

    private RequestException error(int pos, String reason) {
        return new RequestException(request, pos, reason);
    }
}
