package dev.bertj.app.api;

import dev.bertj.app.jobs.JobEvent;
import dev.bertj.app.jobs.JobManager;
import dev.bertj.app.jobs.JobRecord;
import dev.bertj.app.jobs.JobRequest;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.app.security.Management;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.function.Consumer;

/** Fine-tuning jobs: start, follow (JSON or server-sent events), cancel. Management token required. */
@Path("/v1/jobs")
@Management
@Tag(name = "jobs")
public class JobsResource {

    @Inject
    JobManager jobs;
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a fine-tuning job (./bert finetune's options as JSON); answers its id at once")
    public Response submit(JobRequest request) {
        JobRecord r = jobs.submit(request);
        return Response.accepted(r).location(URI.create("/v1/jobs/" + r.id())).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every job, oldest first")
    public List<JobRecord> list() {
        return jobs.list();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A job's state, progress and metrics")
    public JobRecord get(@PathParam("id") String id) {
        SafeNames.check("job id", id);
        return jobs.get(id).orElseThrow(() -> ProblemException.notFound("job", "no job '" + id + "'"));
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a job; a running one stops at its next step")
    public Response cancel(@PathParam("id") String id) {
        SafeNames.check("job id", id);
        return Response.accepted(jobs.cancel(id)).build();
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The job's events as server-sent events (state, step, evaluation, checkpoint) until it ends")
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        SafeNames.check("job id", id);
        jobs.get(id).orElseThrow(() -> ProblemException.notFound("job", "no job '" + id + "'"));
        return Multi.createFrom().emitter(emitter -> {
            Consumer<JobEvent> forward = e -> {
                emitter.emit(event(sse, e));
                if (e.name().equals("state") && e.data() instanceof JobRecord r && r.state().isFinal()) {
                    emitter.complete();
                }
            };
            emitter.onTermination(() -> jobs.unsubscribe(id, forward));
            if (!jobs.subscribe(id, forward)) {
                emitter.complete();
            }
        });
    }

    private OutboundSseEvent event(Sse sse, JobEvent e) {
        String data;
        try {
            data = json.writeValueAsString(e.data());
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            data = "{}";
        }
        return sse.newEventBuilder().id(Long.toString(e.id())).name(e.name()).data(data).build();
    }
}
