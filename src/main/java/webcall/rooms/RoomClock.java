package webcall.rooms;

import java.util.function.LongSupplier;

/**
 * The clocks the room signaling reads, injected so that tests drive them instead of sleeping.
 *
 * @param nanos a monotonic clock in nanoseconds, as {@link System#nanoTime}: the event rate and the
 *     flood timer
 * @param wallMillis the time of day in milliseconds since the epoch, as {@link
 *     System#currentTimeMillis}: the {@code at} of a chat message, which the pages show
 */
public record RoomClock(LongSupplier nanos, LongSupplier wallMillis) {
  public static final RoomClock SYSTEM = new RoomClock(System::nanoTime, System::currentTimeMillis);
}
