package dev.callcontrol.local.sim;

import static dev.callcontrol.local.sim.Voice.SID;

/**
 * Programmable Voice's REST paths (the 2010-04-01 API, https://www.twilio.com/docs/voice/api), each
 * with the resource that answers it: {@link Calls} (https://www.twilio.com/docs/voice/api/call-resource),
 * {@link Conferences} (https://www.twilio.com/docs/voice/api/conference-resource) and
 * {@link Participants} (https://www.twilio.com/docs/voice/api/conference-participant-resource) and
 * {@link ConferenceRecordings} (https://www.twilio.com/docs/voice/api/recording).
 */
final class VoiceRoutes {
    private VoiceRoutes() {
    }

    static void register(TwilioSimulator simulator, SimWorld world) {
        Calls calls = world.calls;
        Conferences conferences = world.conferences;
        Participants participants = world.participants;
        String account = "/2010-04-01/Accounts/" + SID;
        simulator.route("POST", account + "/Calls\\.json", calls::createCall);
        simulator.list(account + "/Calls\\.json", calls::listCalls);
        simulator.route("GET", account + "/Calls/" + SID + "\\.json", call -> calls.callJson(calls.call(call)));
        simulator.route("POST", account + "/Calls/" + SID + "\\.json", calls::updateCall);
        simulator.list(account + "/Conferences\\.json", conferences::listConferences);
        simulator.route("GET", account + "/Conferences/" + SID + "\\.json", call -> conferences.conferenceJson(conferences.conference(call)));
        simulator.route("POST", account + "/Conferences/" + SID + "\\.json", conferences::updateConference);
        simulator.route("POST", account + "/Conferences/([^/]+)/Participants\\.json", participants::createParticipant);
        simulator.list(account + "/Conferences/" + SID + "/Participants\\.json", participants::listParticipants);
        simulator.route("GET", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json",
                call -> participants.participantJson(conferences.conference(call), participants.participant(call)));
        simulator.route("POST", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json", participants::updateParticipant);
        simulator.route("DELETE", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json", participants::deleteParticipant);
        ConferenceRecordings recordings = world.recordings;
        simulator.list(account + "/Conferences/" + SID + "/Recordings\\.json", recordings::list);
        simulator.route("GET", account + "/Conferences/" + SID + "/Recordings/" + SID + "\\.json", recordings::fetch);
        simulator.route("POST", account + "/Conferences/" + SID + "/Recordings/([^/]+)\\.json", recordings::update);
    }
}
