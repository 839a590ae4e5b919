package dev.callcontrol.callsetup;

/** What the product answers a reservation with: TaskRouter's {@code conference} or {@code call} instruction. */
public sealed interface Instruction permits ConferenceInstruction, CallInstruction {
    /** The number or client TaskRouter rings. */
    String to();

    /** The caller ID the ringing party sees. */
    String from();
}
