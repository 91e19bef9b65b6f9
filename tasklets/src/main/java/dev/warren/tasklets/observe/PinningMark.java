package dev.warren.tasklets.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A point in the JFR timeline, committed by {@link PinningMonitor#mark()}; carries only a sequence number. */
@Name(PinningMark.NAME)
@Label("Warren pinning mark")
@Category("Warren")
@Description("A checkpoint used to ask which virtual-thread pinning events happened between two points")
@StackTrace(false)
final class PinningMark extends Event {
    static final String NAME = "dev.warren.PinningMark";

    @Label("Sequence")
    long seq;
}
