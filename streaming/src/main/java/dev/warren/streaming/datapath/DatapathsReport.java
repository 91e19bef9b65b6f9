package dev.warren.streaming.datapath;

import dev.warren.tasklets.observe.Reports;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code datapaths} report: every running datapath with its stages' counters and stage-local state,
 * the exported streams with their readers, and the registered stage classes. Registered while at least one
 * datapath runs.
 */
final class DatapathsReport {
    static final String NAME = "datapaths";
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Reports.Registration registration;

    private DatapathsReport() {}

    static void changed() {
        LOCK.lock();
        try {
            boolean any = !DatapathImpl.LIVE.isEmpty();
            if (any && (registration == null || !registration.isActive())) {
                registration = Reports.register(NAME, DatapathsReport::snapshot);
            } else if (!any && registration != null) {
                registration.close();
                registration = null;
            }
        } finally {
            LOCK.unlock();
        }
    }

    static Map<String, Object> snapshot() {
        List<Object> dps = new ArrayList<>();
        for (DatapathImpl dp : new TreeMap<>(DatapathImpl.LIVE).values()) {
            dps.add(dp.report());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("datapaths", dps);
        List<Object> streams = new ArrayList<>();
        for (ExportRing r : Streams.all()) {
            streams.add(r.report());
        }
        m.put("streams", streams);
        m.put("stage_classes", StageRegistry.infos());
        m.put("unavailable_stage_classes", StageRegistry.unavailable());
        return m;
    }
}
