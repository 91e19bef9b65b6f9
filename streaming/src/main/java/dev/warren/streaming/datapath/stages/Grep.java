package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;

/**
 * {@code (grep,pattern=REGEX[,invert][,literal])}: 1 if the block contains a match, else 0. A pattern
 * without regex characters is searched as bytes; a regex is matched against the bytes read as
 * ISO-8859-1 (one char per byte: ASCII patterns work on UTF-8 text), without copying.
 */
public final class Grep implements StageType {
    @Override
    public String name() {
        return "grep";
    }

    @Override
    public String info() {
        return "1 if the block matches pattern=REGEX (invert: if it does not), else 0";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("pattern", "invert", "literal");
        String p = o.require("pattern");
        boolean literal = o.flag("literal");
        o.flag("invert");
        if (!literal && !Bytes.isLiteral(p)) {
            o.regex("pattern");
        }
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        Bytes.Finder finder = new Bytes.Finder(o.require("pattern"), o.flag("literal"));
        boolean invert = o.flag("invert");
        return new Stage() {
            @Override
            public int process(Block b) {
                return finder.find(b) != invert ? 1 : 0;
            }
        };
    }
}
