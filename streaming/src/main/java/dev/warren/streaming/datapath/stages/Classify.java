package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code (classify,1=ERROR,2=WARN,default=3)}: the classification is the number of the first rule (in
 * request order) whose pattern the block contains (a literal, or a regex as for {@code grep}), else
 * {@code default} (0: dropped). With {@code >>} it routes blocks to branches by content.
 */
public final class Classify implements StageType {
    @Override
    public String name() {
        return "classify";
    }

    @Override
    public String info() {
        return "classification = the first rule N=PATTERN the block matches, else default=0";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        int rules = 0;
        for (String k : o.keys()) {
            if (k.equals("default")) {
                o.integer("default", 0, 0, 65535);
                continue;
            }
            int n = classification(k);
            if (n < 1) {
                throw new IllegalArgumentException("unknown option '" + k + "' (stage 'classify' takes N=PATTERN with N"
                        + " in 1..65535, and default=N)");
            }
            if (!Bytes.isLiteral(o.require(k))) {
                o.regex(k);
            }
            rules++;
        }
        if (rules == 0) {
            throw new IllegalArgumentException("stage 'classify' needs at least one rule N=PATTERN");
        }
    }

    private static int classification(String key) {
        if (key.isEmpty() || key.length() > 5 || !key.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(key);
        return n <= 65535 ? n : -1;
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        List<Bytes.Finder> finders = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (String k : o.keys()) {
            if (!k.equals("default")) {
                finders.add(new Bytes.Finder(o.get(k, null), false));
                classes.add(classification(k));
            }
        }
        Bytes.Finder[] f = finders.toArray(new Bytes.Finder[0]);
        int[] c = classes.stream().mapToInt(Integer::intValue).toArray();
        int fallback = (int) o.integer("default", 0, 0, 65535);
        return (Block b) -> {
            for (int i = 0; i < f.length; i++) {
                if (f[i].find(b)) {
                    return c[i];
                }
            }
            return fallback;
        };
    }
}
